"""Running a command: how specs travel from the command line's options to the outputs.

- `options`: the options of ``gatekeeper check``, declared once (`CheckOptions`);
- `check`: ``gatekeeper check``, from its options to one spec or many, and the outputs;
- `inputs`: files, folders and globs turned into spec files;
- `isolation`: each spec in a forked child under a memory limit and a timeout;
- `helper_process`: a gate's costly part computed beside the check (`Gate.helper`);
- `compare`: one loaded spec through the gates, compared with a base and a baseline;
- `many_specs`: many specs checked in parallel, their outputs streamed;
- `live`: the live audit and the load test as steps of a check or of ``gatekeeper audit``;
- `catalogues`: the live audit's and the load test's gates, which any config may set;
- `failures`: how a command ends (exit codes, one line on stderr).
"""
