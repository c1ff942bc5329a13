package dev.agentfeed.bench;

import dev.agentfeed.bench.archive.ArchiveBenchmark;
import dev.agentfeed.bench.gateway.GatewayBenchmark;
import dev.agentfeed.bench.ingest.IngestBenchmark;
import dev.agentfeed.bench.processor.ProcessorBenchmark;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code agentfeed-bench}: one subcommand per benchmark. */
@Command(
    name = "agentfeed-bench",
    mixinStandardHelpOptions = true,
    description =
        "Benchmarks against a running agentfeed stack (start it with deploy/run-local.sh).",
    subcommands = {
      PipelineBenchmark.class,
      ProcessorBenchmark.class,
      GatewayBenchmark.class,
      ArchiveBenchmark.class,
      IngestBenchmark.class
    })
public final class BenchmarkCommand {

  private BenchmarkCommand() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchmarkCommand()).execute(args));
  }
}
