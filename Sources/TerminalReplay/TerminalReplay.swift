// TerminalReplay — placeholder until its module lands.
