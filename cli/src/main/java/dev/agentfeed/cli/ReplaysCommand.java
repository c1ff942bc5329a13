package dev.agentfeed.cli;

import picocli.CommandLine.Command;

/** {@code agentfeed replays ...}: the archived sessions of one org. */
@Command(
    name = "replays",
    mixinStandardHelpOptions = true,
    description = "Archived session replays.",
    subcommands = {ListCommand.class, GetCommand.class, VerifyCommand.class, PlayCommand.class})
final class ReplaysCommand {}
