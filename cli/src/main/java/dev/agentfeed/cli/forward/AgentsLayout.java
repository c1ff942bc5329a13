package dev.agentfeed.cli.forward;

import dev.agentfeed.model.Ids;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a file in the agents directory is, from its path relative to the directory:
 *
 * <ul>
 *   <li>{@code {id}/{phase}/raw_output.jsonl}: a Claude Code stream-json transcript;
 *   <li>{@code {id}/adw_state.json}: the workflow's state, whose {@code phase} is watched;
 *   <li>{@code {id}/**}{@code /review_img/*.png} and {@code {id}/**}{@code /*_plan_spec.md}:
 *       artifacts.
 * </ul>
 *
 * Anything else is ignored, and so is any path whose {@code id} or {@code phase} is not a valid
 * agentfeed id: those names become session and agent ids.
 */
final class AgentsLayout {

  static final String TRANSCRIPT = "raw_output.jsonl";
  static final String STATE = "adw_state.json";

  private AgentsLayout() {}

  /** A file the forwarder sends. */
  sealed interface Entry permits Transcript, WorkflowState, Artifact {

    /** The workflow's id: the first directory. */
    String workflowId();
  }

  /** A phase's transcript; its events go to the session {@code {id}.{phase}}. */
  record Transcript(String workflowId, String phase) implements Entry {

    String sessionId() {
      return workflowId + "." + phase;
    }
  }

  /** The workflow's state file; phase changes go to the session {@code {id}}. */
  record WorkflowState(String workflowId) implements Entry {}

  /** A screenshot or a plan spec; sent to the session {@code {id}}. */
  record Artifact(String workflowId, String phase, String kind, String contentType)
      implements Entry {}

  /** What the file at {@code relative} (to the agents directory, normalized) is, if anything. */
  static Optional<Entry> classify(Path relative) {
    int names = relative.getNameCount();
    if (names < 2 || relative.isAbsolute()) {
      return Optional.empty();
    }
    for (Path name : relative) {
      if (name.toString().equals("..") || name.toString().startsWith(".")) {
        return Optional.empty();
      }
    }
    String id = relative.getName(0).toString();
    String file = relative.getFileName().toString();
    if (!Ids.isValid(id)) {
      return Optional.empty();
    }
    if (names == 2 && file.equals(STATE)) {
      return Optional.of(new WorkflowState(id));
    }
    String phase = names > 2 ? relative.getName(1).toString() : null;
    if (names == 3 && file.equals(TRANSCRIPT)) {
      return Ids.isValid(phase) && Ids.isValid(id + "." + phase)
          ? Optional.of(new Transcript(id, phase))
          : Optional.empty();
    }
    String agent = phase != null && Ids.isValid(phase) ? phase : null;
    if (file.endsWith(".png")
        && names >= 3
        && relative.getName(names - 2).toString().equals("review_img")) {
      return Optional.of(new Artifact(id, agent, "screenshot", "image/png"));
    }
    if (file.endsWith("_plan_spec.md")) {
      return Optional.of(new Artifact(id, agent, "spec", "text/markdown"));
    }
    return Optional.empty();
  }
}
