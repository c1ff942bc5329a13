package dev.agentfeed.cli.forward;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the forwarder has delivered, on disk: per transcript the byte offset after the last line
 * whose events ingest acknowledged, per workflow the last phase sent and how many changes, and the
 * artifacts sent. It is written (to a temporary file, synced, then atomically renamed over the old
 * one) only after ingest acknowledged what it records, so a crash at any point leaves a state that
 * is at most behind: a restart sends again from there, with the same event ids, and ingest stores
 * nothing twice.
 */
final class ForwardState {

  /** A workflow's last phase sent and the number of phase changes sent, for their ids. */
  record Phase(String phase, int changes) {}

  private final Path file;
  private final JsonMapper json;
  private final Map<String, Long> offsets = new TreeMap<>();
  private final Map<String, Phase> phases = new TreeMap<>();
  private final Set<String> artifacts = new TreeSet<>();

  private ForwardState(Path file, JsonMapper json) {
    this.file = file;
    this.json = json;
  }

  /** The state in {@code file}, or an empty one when there is none yet. */
  static ForwardState load(Path file, JsonMapper json) throws IOException {
    ForwardState state = new ForwardState(file, json);
    if (Files.exists(file)) {
      JsonNode root = json.readTree(Files.readAllBytes(file));
      root.path("transcripts")
          .properties()
          .forEach(e -> state.offsets.put(e.getKey(), e.getValue().asLong(0)));
      root.path("phases")
          .properties()
          .forEach(
              e ->
                  state.phases.put(
                      e.getKey(),
                      new Phase(
                          e.getValue().path("phase").asString(),
                          e.getValue().path("changes").asInt(0))));
      root.path("artifacts").forEach(a -> state.artifacts.add(a.asString()));
    }
    return state;
  }

  long offset(String transcript) {
    return offsets.getOrDefault(transcript, 0L);
  }

  Phase phase(String workflowId) {
    return phases.getOrDefault(workflowId, new Phase(null, 0));
  }

  boolean artifactSent(String path) {
    return artifacts.contains(path);
  }

  void offset(String transcript, long offset) throws IOException {
    offsets.put(transcript, offset);
    save();
  }

  void phase(String workflowId, Phase phase) throws IOException {
    phases.put(workflowId, phase);
    save();
  }

  void artifactSent(String path, boolean save) throws IOException {
    artifacts.add(path);
    if (save) {
      save();
    }
  }

  private void save() throws IOException {
    ObjectNode root = json.createObjectNode();
    ObjectNode transcripts = root.putObject("transcripts");
    offsets.forEach(transcripts::put);
    ObjectNode phaseNodes = root.putObject("phases");
    phases.forEach(
        (id, phase) ->
            phaseNodes.putObject(id).put("phase", phase.phase()).put("changes", phase.changes()));
    artifacts.forEach(root.putArray("artifacts")::add);
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel channel =
        FileChannel.open(
            temporary,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      channel.write(ByteBuffer.wrap(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root)));
      channel.force(true);
    }
    Files.move(
        temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
