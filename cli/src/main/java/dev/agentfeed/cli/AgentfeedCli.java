package dev.agentfeed.cli;

import dev.agentfeed.cli.forward.ForwardCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code agentfeed}: the auditor's command line, which reads the replay bucket directly (no
 * agentfeed service needs to run), so an auditor can check an archive with nothing but S3
 * credentials; and the sandbox's {@code forward}, which sends an agents directory to ingest.
 */
@Command(
    name = "agentfeed",
    mixinStandardHelpOptions = true,
    versionProvider = AgentfeedCli.Version.class,
    description =
        "Lists, fetches, verifies and plays archived agentfeed session replays in S3; forwards an"
            + " agents directory to ingest.",
    subcommands = {ReplaysCommand.class, ForwardCommand.class, CommandLine.HelpCommand.class})
public final class AgentfeedCli {

  /** Exit code of a command that ran and found something wrong (tampered, missing, gaps). */
  static final int FAILED = 1;

  /** Exit code when the session is not in the bucket. */
  static final int NOT_FOUND = 3;

  public static CommandLine commandLine() {
    return new CommandLine(new AgentfeedCli());
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static final class Version implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
      String version = AgentfeedCli.class.getPackage().getImplementationVersion();
      return new String[] {"agentfeed " + (version == null ? "(development build)" : version)};
    }
  }
}
