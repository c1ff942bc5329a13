package dev.agentfeed.processor.live;

import dev.agentfeed.model.DetailRef;
import dev.agentfeed.model.EventEnvelope;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Tier 3: replaces each field of an event's {@code data} whose JSON is larger than the threshold by
 * a {@link DetailRef}, for the live copy only. That covers whatever the agent puts there — full
 * tool arguments, results and previews, file contents, full diffs, assembled message texts —
 * without a list of names that would miss the next one. Only top-level fields are cut: a reference
 * stands for one whole value, which the gateway serves from the enriched event.
 */
final class DetailCutter {

  /** Kept live whatever its size: the differ bounds it (5 KB), and dashboards show it on cards. */
  static final Set<String> ALWAYS_LIVE = Set.of("diffPreview");

  private final long threshold;
  private final JsonMapper mapper;

  DetailCutter(long thresholdBytes, JsonMapper mapper) {
    this.threshold = thresholdBytes;
    this.mapper = mapper;
  }

  /** The event as dashboards get it: the same event when nothing is too large. */
  EventEnvelope cut(EventEnvelope event) {
    ObjectNode data = null;
    for (Map.Entry<String, JsonNode> field : event.data().properties()) {
      if (ALWAYS_LIVE.contains(field.getKey())) {
        continue;
      }
      long bytes = jsonBytesOver(field.getValue());
      if (bytes > threshold) {
        if (data == null) {
          data = event.data().deepCopy();
        }
        data.set(field.getKey(), new DetailRef(event.id(), event.seq(), bytes).toNode());
      }
    }
    return data == null ? event : event.withData(data);
  }

  /**
   * The size of the value's JSON, or 0 when it is certainly within the threshold. Strings (by far
   * the most fields) are measured without writing them; small scalars are never large.
   */
  private long jsonBytesOver(JsonNode value) {
    if (value.isString()) {
      String text = value.stringValue();
      // At most 6 bytes per char (\\uXXXX) plus the quotes: short strings need no count.
      return 6L * text.length() + 2 <= threshold ? 0 : JsonSize.ofString(text);
    }
    if (value.isContainer() && !value.isEmpty()) {
      return mapper.writeValueAsBytes(value).length;
    }
    return 0;
  }
}
