"""Running a command: how specs travel from the command line's options to the outputs.

- `check`: ``gatekeeper check``, from its options to one spec or many, and the outputs;
- `live`: the live audit and the load test as steps of a check or of ``gatekeeper audit``;
- `catalogues`: the live audit's and the load test's gates, which any config may set;
- `failures`: how a command ends (exit codes, one line on stderr).
"""
