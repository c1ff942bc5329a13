package dev.agentfeed.cli.forward;

import dev.agentfeed.client.AgentfeedClient;
import dev.agentfeed.client.DeliveryListener;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.Ids;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code agentfeed forward --dir agents/ --ingest URL --token …}: forwards an agents directory to
 * ingest until stopped ({@link Forwarder}). Stopping it at any moment, even with {@code kill -9},
 * loses and repeats nothing: progress is saved in the state file only after ingest acknowledged it.
 */
@Command(
    name = "forward",
    mixinStandardHelpOptions = true,
    description =
        "Watches an agents directory (agents/{id}/{phase}/raw_output.jsonl, agents/{id}/adw_state.json,"
            + " review_img/*.png, *_plan_spec.md) and forwards it to agentfeed ingest.")
public final class ForwardCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--dir", required = true, description = "The agents directory to watch")
  Path dir;

  @Option(
      names = "--ingest",
      defaultValue = "${env:AGENTFEED_INGEST:-http://localhost:8081}",
      description = "Ingest base URL (env AGENTFEED_INGEST, default: ${DEFAULT-VALUE})")
  URI ingest;

  @Option(
      names = "--token",
      defaultValue = "${env:AGENTFEED_TOKEN}",
      description = "Bearer token with scope ingest (env AGENTFEED_TOKEN)")
  String token;

  @Option(
      names = "--org",
      description = "Organisation of the events (default: the token's org claim)")
  String org;

  @Option(
      names = "--state",
      description = "Where progress is saved (default: <dir>/.agentfeed-forward.json)")
  Path stateFile;

  @Option(
      names = "--chunk-lines",
      defaultValue = "500",
      description =
          "Most transcript lines sent before progress is saved (default: ${DEFAULT-VALUE})")
  int chunkLines;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (token == null || token.isBlank()) {
      err.println("a token is needed: --token or AGENTFEED_TOKEN");
      return 2;
    }
    String orgId = org != null ? org : orgOf(token);
    if (!Ids.isValid(orgId)) {
      err.println("no valid org: give --org, or a token with an org claim");
      return 2;
    }
    if (chunkLines < 1) {
      err.println("--chunk-lines must be positive");
      return 2;
    }
    Warnings warnings =
        message -> {
          err.println("agentfeed forward: " + message);
          err.flush();
        };
    Path state = stateFile != null ? stateFile : dir.resolve(".agentfeed-forward.json");
    Duration giveUp = Duration.ofMinutes(5);
    try (AgentfeedClient client =
            AgentfeedClient.builder(ingest, token)
                .giveUpAfter(giveUp)
                .listener(listener(warnings))
                .build();
        Forwarder forwarder =
            new Forwarder(
                dir,
                state,
                client,
                orgId,
                Clock.systemUTC(),
                chunkLines,
                giveUp.plusMinutes(1),
                warnings)) {
      Thread main = Thread.currentThread();
      Thread stop =
          new Thread(
              () -> {
                try {
                  forwarder.close();
                  main.join(10_000);
                } catch (Exception e) {
                  Thread.currentThread().interrupt();
                }
              });
      Runtime.getRuntime().addShutdownHook(stop);
      spec.commandLine()
          .getOut()
          .printf("Forwarding %s to %s for org %s%n", dir, ingest, orgId)
          .flush();
      try {
        forwarder.run();
      } finally {
        removeHook(stop);
      }
      return 0;
    } catch (ForwardException e) {
      err.println("agentfeed forward stopped: " + e.getMessage());
      return 1;
    } catch (NoSuchFileException e) {
      err.println("no such directory: " + dir);
      return 2;
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook is running
    }
  }

  private static DeliveryListener listener(Warnings warnings) {
    return new DeliveryListener() {
      @Override
      public void rejected(EventEnvelope event, String error) {
        warnings.warn(
            "ingest rejected event " + event.id() + " (" + event.type().wireName() + "): " + error);
      }

      @Override
      public void failed(EventEnvelope event, String reason) {
        warnings.warn("could not send event " + event.id() + ": " + reason);
      }
    };
  }

  /** The token's {@code org} claim, read without checking the signature (ingest checks it). */
  static String orgOf(String token) {
    String[] parts = token.split("\\.");
    if (parts.length != 3) {
      return null;
    }
    try {
      byte[] claims = Base64.getUrlDecoder().decode(parts[1]);
      return JsonMapper.builder()
          .build()
          .readTree(new String(claims, StandardCharsets.UTF_8))
          .path("org")
          .asString(null);
    } catch (IllegalArgumentException | JacksonException e) {
      return null;
    }
  }
}
