package dev.agentfeed.cli;

import dev.agentfeed.archiver.replay.ReplayCatalog;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;
import tools.jackson.core.JacksonException;

/** A command about one session: finds its latest manifest, then does its work on it. */
abstract class SessionCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin S3Options s3;

  @Parameters(index = "0", paramLabel = "SESSION", description = "The session id.")
  String sessionId;

  @Override
  public final Integer call() {
    try (S3Options.Archive archive = s3.open()) {
      Optional<ReplayCatalog.Entry> entry = archive.catalog().find(s3.org, sessionId);
      if (entry.isEmpty()) {
        err()
            .printf(
                "No replay of session %s in org %s (bucket %s).%n", sessionId, s3.org, s3.bucket);
        return AgentfeedCli.NOT_FOUND;
      }
      return run(archive, entry.get());
    } catch (JacksonException | IllegalArgumentException e) {
      err()
          .printf(
              "FAILED: the manifest of session %s cannot be read: %s%n", sessionId, e.getMessage());
      return AgentfeedCli.FAILED;
    } catch (SdkException e) {
      err().printf("S3 at %s failed: %s%n", s3.endpoint, e.getMessage());
      return AgentfeedCli.FAILED;
    }
  }

  abstract int run(S3Options.Archive archive, ReplayCatalog.Entry entry);

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
