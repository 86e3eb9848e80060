"""The Help menu's windows: the guided first run, the bundled documentation and the About box."""
