package dev.agentfeed.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code agentfeed-bench}: one subcommand per benchmark. */
@Command(
    name = "agentfeed-bench",
    mixinStandardHelpOptions = true,
    description =
        "Benchmarks against a running agentfeed stack (start it with deploy/run-local.sh).",
    subcommands = {PipelineBenchmark.class})
public final class BenchmarkCommand {

  private BenchmarkCommand() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchmarkCommand()).execute(args));
  }
}
