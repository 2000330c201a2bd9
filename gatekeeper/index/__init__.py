"""The index every gate reads, built once per spec by `gatekeeper.spec.load`: its records
(`records`), how they are built from Swagger 2.0 and OpenAPI 3.x alike (`build`), and the
readings several gates share (`readings`). `gatekeeper.spec` holds `Spec` itself."""
