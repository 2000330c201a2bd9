from gatekeeper.cli import entry

entry()
