package dev.agentfeed.cli.forward;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import dev.agentfeed.cli.forward.AgentsLayout.Artifact;
import dev.agentfeed.cli.forward.AgentsLayout.Entry;
import dev.agentfeed.cli.forward.AgentsLayout.Transcript;
import dev.agentfeed.cli.forward.AgentsLayout.WorkflowState;
import dev.agentfeed.client.AgentfeedClient;
import dev.agentfeed.client.EventIds;
import dev.agentfeed.ingest.claudecode.ClaudeCodeTranscript;
import dev.agentfeed.ingest.redaction.SecretRedactor;
import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Watches an agents directory with the JDK's {@link WatchService} (the operating system tells it
 * what changed; nothing is polled) and forwards what the agents write to ingest through an {@link
 * AgentfeedClient}: each phase's Claude Code transcript as it grows ({@link TranscriptTail}), the
 * workflow's phase changes, and its screenshots and plan specs as artifacts. See {@link
 * AgentsLayout} for the layout and the sessions events go to.
 *
 * <p>Delivery: what a file yields is sent, ingest's acknowledgement awaited ({@link
 * AgentfeedClient#flush}), and only then is the progress saved ({@link ForwardState}); every event
 * id derives from the file and its place in it. A forwarder killed at any moment therefore sends
 * again, after a restart, at most what was not yet saved, with the same ids: ingest stores each
 * line's events once.
 */
public final class Forwarder implements AutoCloseable {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Largest adw_state.json read; the largest spec sent with its content. */
  static final int MAX_STATE_BYTES = 1024 * 1024;

  static final int MAX_SPEC_CONTENT = 64 * 1024;

  /** The {@code source} of the events made here (transcripts keep the converter's). */
  static final String SOURCE = "agentfeed-forward";

  /**
   * Redacts streamed message text across its chunks (built-in kinds: ingest's configured extra
   * kinds are not known here, and ingest applies them to each chunk).
   */
  private static final SecretRedactor STREAM_REDACTOR =
      new SecretRedactor(Map.of(), SecretRedactor.RedactionCounter.NONE);

  private final SafePaths paths;
  private final ForwardState state;
  private final AgentfeedClient client;
  private final String orgId;
  private final Clock clock;
  private final int chunkLines;
  private final Duration flushTimeout;
  private final Warnings warnings;
  private final EventCodec codec = new EventCodec();
  private final JsonMapper json = codec.mapper();
  private final WatchService watcher;
  private final Map<WatchKey, Path> directories = new HashMap<>();
  private final Map<String, TranscriptTail> tails = new HashMap<>();

  /**
   * @param dir the agents directory
   * @param stateFile where progress is saved (created when missing)
   * @param client sends the events; flushed after each piece of work, not closed here
   * @param orgId the org of every event (the token's)
   * @param chunkLines most transcript lines sent before progress is saved
   * @param flushTimeout how long to wait for ingest's acknowledgement (beyond the client's own
   *     give-up time, the client fails the events itself)
   */
  public Forwarder(
      Path dir,
      Path stateFile,
      AgentfeedClient client,
      String orgId,
      Clock clock,
      int chunkLines,
      Duration flushTimeout,
      Warnings warnings)
      throws IOException {
    this.paths = new SafePaths(SafePaths.realDirectory(dir));
    this.state = ForwardState.load(stateFile, codec.mapper());
    this.client = client;
    this.orgId = orgId;
    this.clock = clock;
    this.chunkLines = chunkLines;
    this.flushTimeout = flushTimeout;
    this.warnings = warnings;
    this.watcher = FileSystems.getDefault().newWatchService();
  }

  /**
   * Forwards what is in the directory now, then every change, until {@link #close()}.
   *
   * @throws ForwardException when ingest refuses events for good (a wrong token, say): progress
   *     stays saved up to before them, so a restart with the fault fixed goes on from there
   */
  public void run() throws IOException {
    register(paths.root());
    scan(paths.root());
    try {
      while (true) {
        WatchKey key = watcher.take();
        Path dir = directories.get(key);
        for (WatchEvent<?> event : key.pollEvents()) {
          try {
            if (event.kind() == OVERFLOW) {
              // Events were lost: look at everything again (progress makes it cheap and safe).
              scan(paths.root());
            } else if (dir != null) {
              changed(dir.resolve((Path) event.context()), event.kind() == ENTRY_CREATE);
            }
          } catch (IOException e) {
            // A file or directory removed or unreadable meanwhile: the next change retries it.
            warnings.warn(
                "could not read " + e.getMessage() + " (" + e.getClass().getSimpleName() + ")");
          }
        }
        if (!key.reset()) {
          directories.remove(key);
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      // closed: stop
    }
  }

  private void changed(Path child, boolean created) throws IOException {
    if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
      if (created) {
        // Files may be written before the new directory is watched: scan it too.
        register(child);
        scan(child);
      }
    } else {
      handle(child);
    }
  }

  /** Stops {@link #run()}; what was acknowledged is saved already. */
  @Override
  public void close() throws IOException {
    watcher.close();
  }

  private void register(Path start) throws IOException {
    // walkFileTree does not follow links, so a linked directory is never watched.
    Files.walkFileTree(
        start,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes)
              throws IOException {
            if (!dir.equals(paths.root()) && paths.relative(dir).isEmpty()) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            directories.put(dir.register(watcher, ENTRY_CREATE, ENTRY_MODIFY), dir);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE; // removed meanwhile
          }
        });
  }

  private void scan(Path start) throws IOException {
    List<Path> files = new ArrayList<>();
    Files.walkFileTree(
        start,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
            if (attributes.isRegularFile()) {
              files.add(file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE; // removed meanwhile
          }
        });
    // State files first, so that a workflow's phase is known before its transcripts are sent.
    files.sort(
        (a, b) ->
            Boolean.compare(
                !a.getFileName().toString().equals(AgentsLayout.STATE),
                !b.getFileName().toString().equals(AgentsLayout.STATE)));
    for (Path file : files) {
      try {
        handle(file);
      } catch (IOException e) {
        warnings.warn("could not read " + file + ": " + e.getMessage());
      }
    }
  }

  private void handle(Path file) throws IOException {
    Optional<Path> relative = paths.relative(file);
    if (relative.isEmpty()) {
      return;
    }
    Optional<Entry> entry = AgentsLayout.classify(relative.get());
    if (entry.isEmpty()) {
      return;
    }
    Path absolute = paths.root().resolve(relative.get());
    String key = relative.get().toString().replace('\\', '/');
    if (entry.get() instanceof Transcript transcript) {
      transcript(absolute, key, transcript);
    } else if (entry.get() instanceof WorkflowState workflow) {
      workflowState(absolute, workflow);
    } else if (entry.get() instanceof Artifact artifact) {
      artifact(absolute, key, artifact);
    }
  }

  // ---- transcripts

  private void transcript(Path file, String key, Transcript transcript) throws IOException {
    TranscriptTail tail = tails.get(key);
    long saved = state.offset(key);
    if (tail == null || Files.size(file) < tail.position()) {
      if (Files.size(file) < saved) {
        warnings.warn(key + " is shorter than what was sent from it: read again from its start");
        saved = 0;
        state.offset(key, 0);
      }
      tail = newTail(file, transcript);
      tail.skipTo(saved);
      tails.put(key, tail);
    }
    for (Optional<TranscriptTail.Chunk> chunk = tail.next(chunkLines);
        chunk.isPresent();
        chunk = tail.next(chunkLines)) {
      for (ObjectNode event : chunk.get().events()) {
        // The phase is the agent: planner, implementor, reviewer… on a dashboard.
        event.put("agentId", transcript.phase());
        client.send(codec.fromTree(event));
      }
      deliver(key);
      state.offset(key, chunk.get().endOffset());
    }
  }

  private TranscriptTail newTail(Path file, Transcript transcript) {
    return new TranscriptTail(
        file,
        new ClaudeCodeTranscript(orgId, transcript.sessionId(), clock, STREAM_REDACTOR),
        json,
        warnings);
  }

  // ---- workflow state

  private void workflowState(Path file, WorkflowState workflow) throws IOException {
    Optional<String> phase = phaseIn(file);
    ForwardState.Phase last = state.phase(workflow.workflowId());
    if (phase.isEmpty() || phase.get().equals(last.phase())) {
      return;
    }
    int change = last.changes() + 1;
    ObjectNode data = NODES.objectNode().put("phase", phase.get());
    if (last.phase() != null) {
      data.put("previousPhase", last.phase());
    }
    send(
        EventIds.derived("fwd-phase", workflow.workflowId(), String.valueOf(change), phase.get()),
        EventType.WORKFLOW_PHASE_CHANGED,
        workflow.workflowId(),
        phase.get(),
        data);
    deliver(file.toString());
    state.phase(workflow.workflowId(), new ForwardState.Phase(phase.get(), change));
  }

  /** The phase in an adw_state.json: {@code phase} or {@code current_phase}, a short string. */
  private Optional<String> phaseIn(Path file) throws IOException {
    byte[] bytes = readBounded(file, MAX_STATE_BYTES);
    if (bytes == null) {
      warnings.warn(file + " is larger than " + MAX_STATE_BYTES + " bytes; not read");
      return Optional.empty();
    }
    JsonNode root;
    try {
      root = json.readTree(bytes);
    } catch (JacksonException e) {
      // Often a file caught half-written: the next change event reads it whole.
      return Optional.empty();
    }
    for (String field : List.of("phase", "current_phase")) {
      JsonNode value = root.path(field);
      if (value.isString() && !value.stringValue().isBlank()) {
        String phase = value.stringValue().strip();
        return phase.length() <= 128 ? Optional.of(phase) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  // ---- artifacts

  private void artifact(Path file, String key, Artifact artifact) throws IOException {
    long size = Files.size(file);
    if (state.artifactSent(key) || size == 0) {
      return;
    }
    ObjectNode data =
        NODES
            .objectNode()
            .put("kind", artifact.kind())
            .put("name", key)
            .put("uri", "agents/" + key)
            .put("contentType", artifact.contentType())
            .put("bytes", size);
    if (artifact.kind().equals("spec")) {
      byte[] content = readBounded(file, MAX_SPEC_CONTENT);
      if (content != null) {
        data.put("content", new String(content, StandardCharsets.UTF_8));
      }
    }
    send(
        EventIds.derived("fwd-artifact", key),
        EventType.ARTIFACT_CREATED,
        artifact.workflowId(),
        artifact.phase(),
        data);
    deliver(key);
    state.artifactSent(key, true);
  }

  // ---- sending

  private void send(String id, EventType type, String sessionId, String agentId, ObjectNode data) {
    client.send(
        new EventEnvelope(
            id, type, orgId, sessionId, agentId, SOURCE, clock.instant(), data, null, null, null));
  }

  /** Waits until ingest has answered for everything sent; fails when it refused any for good. */
  private void deliver(String what) {
    long failedBefore = client.stats().failed();
    if (!client.flush(flushTimeout)) {
      throw new ForwardException(
          "ingest did not acknowledge the events of " + what + " within " + flushTimeout);
    }
    if (client.stats().failed() > failedBefore) {
      throw new ForwardException(
          "ingest refused the events of "
              + what
              + " for good; progress is saved up to before them");
    }
  }

  /** The file's bytes, or null when it is larger than {@code limit}. */
  private static byte[] readBounded(Path file, int limit) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      if (channel.size() > limit) {
        return null;
      }
      return Channels.newInputStream(channel).readAllBytes();
    }
  }
}
