"""The live audit and the load test as steps of a check (``check --live URL [--load]``) or
of ``gatekeeper audit`` (the catalogues of their gates: `gatekeeper.orchestration.catalogues`)."""

from __future__ import annotations

from gatekeeper.orchestration.failures import Exit, echo

__all__ = ["LIVE_FLAGS", "exit_if_interrupted", "live_audit", "live_flags",
           "load_test"]


LIVE_FLAGS = ("header_env", "header", "allow_writes", "allow_method", "allow_host",
               "request_timeout", "max_duration", "max_requests", "rate_limit", "max_examples",
               "latency_budget", "error_rate_budget", "trust_env", "insecure", "seed", "focus_failures")


def live_flags(params: dict[str, object]) -> dict[str, object]:
    """The live options of a command's parameters (its ``locals()``), by config key name."""
    return {name.replace("_", "-"): params[name] for name in LIVE_FLAGS}


def live_audit(spec: object, base_url: str, flags: dict[str, object], cfg: object,
                static_report: object, progress: str, log_file: str | None,
                debug: bool) -> tuple[object, object]:
    """Run the audit: the live gate, appended to ``static_report`` when there is one."""
    from gatekeeper.live import audit_report
    from gatekeeper.live.options import build_options, log_to_file
    from gatekeeper.live.progress import Progress

    options = build_options(base_url, flags, cfg.settings.get("live"),  # type: ignore[attr-defined]
                            source=cfg.source or "config")  # type: ignore[attr-defined]
    redactor = options.credentials.redactor()
    if options.insecure:
        echo("gatekeeper: warning: --insecure: TLS certificates are not verified", err=True)
    handler = log_to_file(log_file, redactor) if log_file else None
    try:
        report, _ = audit_report(spec, options, cfg, static_report=static_report,
                                 progress=Progress(progress), raise_errors=debug)
    finally:
        if handler is not None:
            import logging

            logging.getLogger("gatekeeper.live").removeHandler(handler)
            handler.close()
    return report, redactor


def load_test(spec: object, base_url: str, live_flags: dict[str, object], cfg: object,
               static_report: object, progress: str, debug: bool) -> object:
    """``check --live URL --load``: the load test after the audit, in the same report. Its
    shape and budgets come from the ``[load]`` table; credentials, methods and the latency
    and error budgets given as flags apply to both."""
    from gatekeeper.loadtest import load_report
    from gatekeeper.loadtest.command import _ProgressLine, build_load_options

    shared = ("header-env", "header", "allow-writes", "allow-method", "request-timeout",
              "latency-budget", "error-rate-budget")
    options = build_load_options(base_url, {k: live_flags.get(k) for k in shared},
                                 cfg.settings.get("load"),  # type: ignore[attr-defined]
                                 source=cfg.source or "config")  # type: ignore[attr-defined]
    report, _ = load_report(spec, options, cfg, static_report=static_report,
                            progress=_ProgressLine(options.max_duration, progress),
                            raise_errors=debug)
    return report


def exit_if_interrupted(report: object) -> None:
    """After Ctrl-C the partial report is written; the exit code is then 130, as for SIGINT."""
    live = report.sections.get("live") or {}  # type: ignore[attr-defined]
    if str(live.get("stop_reason") or "").startswith("interrupted"):
        echo("gatekeeper: live audit interrupted; the report is partial", err=True)
        raise Exit(130)
