package dev.agentfeed.processor.diffs;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Adds the diff to every {@code file.*} event of one task and remembers each file's last known
 * content per session, so that a later Edit-style event is diffed against the whole file (real
 * context, real line numbers). Other events pass unchanged; a session's end forgets its files.
 */
final class FileDiffProcessor implements FixedKeyProcessor<String, EventEnvelope, EventEnvelope> {

  private static final Logger log = LoggerFactory.getLogger(FileDiffProcessor.class);

  private final FileDiffs diffs;

  private FixedKeyProcessorContext<String, EventEnvelope> context;
  private KeyValueStore<String, String> contents;

  FileDiffProcessor(FileDiffs diffs) {
    this.diffs = diffs;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, EventEnvelope> context) {
    this.context = context;
    this.contents = context.getStateStore(FileDiffTopology.CONTENT_STORE);
  }

  @Override
  public void process(FixedKeyRecord<String, EventEnvelope> record) {
    EventEnvelope event = record.value();
    if (event.type().endsSession()) {
      forgetSession(event);
    }
    if (isFileEvent(event.type()) && event.data().path("path").isString()) {
      event = event.withData(withDiffOrReason(event));
    }
    context.forward(record.withValue(event));
  }

  /**
   * A failure here must not stop the session (a retry would fail the same way) nor cost the event
   * its place: the event goes on with {@code diffSkipped: "error"} and its seq. Only the diff
   * computation is caught, never Kafka Streams' own exceptions.
   */
  private ObjectNode withDiffOrReason(EventEnvelope event) {
    try {
      return withDiff(event);
    } catch (StreamsException e) {
      // From the store or the changelog (fencing, migration): Kafka Streams must handle it.
      throw e;
    } catch (RuntimeException e) {
      RecordMetadata origin = context.recordMetadata().orElseThrow();
      log.warn(
          "Could not diff event {} of session {} from topic {} partition {} offset {};"
              + " passing it on without a diff",
          event.id(),
          event.session().key(),
          origin.topic(),
          origin.partition(),
          origin.offset(),
          e);
      return event.data().deepCopy().put("diffSkipped", "error");
    }
  }

  private ObjectNode withDiff(EventEnvelope event) {
    ObjectNode data = event.data().deepCopy();
    String path = data.get("path").asString();
    String key = contentKey(event, path);
    String ready = text(data, "diff");
    String before = text(data, "before");
    String after = text(data, "after");
    String oldString = text(data, "oldString");
    String newString = text(data, "newString");

    if (ready != null) {
      put(data, diffs.ofReady(ready), "provided");
      remember(key, after);
    } else if (after != null || event.type() != EventType.FILE_EDITED) {
      String known = contents.get(key);
      String from = before != null ? before : created(event) ? null : known;
      if (from != null || after != null) {
        diffWholeFile(data, path, from, after, from == null && !created(event));
      }
      remember(key, after);
    } else if (oldString != null && newString != null) {
      String known = before != null ? before : contents.get(key);
      boolean replaceAll = data.path("replaceAll").asBoolean(false);
      diffEdit(data, key, known, path, oldString, newString, replaceAll);
    }
    if (deleted(event)) {
      contents.delete(key);
    }
    return data;
  }

  /**
   * Before and after as the event (or the store) gives them. A file edited with only its new
   * content and nothing known before is not diffed: there is nothing to compare with.
   */
  private void diffWholeFile(
      ObjectNode data, String path, String from, String to, boolean unknownBefore) {
    if (unknownBefore) {
      data.put("diffSkipped", "no previous content");
      return;
    }
    String skip = firstSkipReason(from, to);
    if (skip != null) {
      data.put("diffSkipped", skip);
      return;
    }
    put(data, diffs.between(path, from, to), "file");
  }

  /**
   * Edit-style: against the whole file when its content is known and still holds the old string,
   * else the two strings alone ({@code diffContext: "fragment"}, line numbers of the fragment).
   */
  private void diffEdit(
      ObjectNode data,
      String key,
      String known,
      String path,
      String oldString,
      String newString,
      boolean replaceAll) {
    if (known != null && diffs.skipReason(known) == null && known.contains(oldString)) {
      String edited =
          replaceAll
              ? known.replace(oldString, newString)
              : replaceFirst(known, oldString, newString);
      put(data, diffs.between(path, known, edited), "file");
      remember(key, edited);
      return;
    }
    if (contents.get(key) != null) {
      // The file changed in a way no event told: what is kept would give wrong line numbers.
      contents.delete(key);
    }
    String skip = firstSkipReason(oldString, newString);
    if (skip != null) {
      data.put("diffSkipped", skip);
      return;
    }
    put(data, diffs.between(path, oldString, newString), "fragment");
  }

  private String firstSkipReason(String first, String second) {
    String skip = diffs.skipReason(first);
    return skip != null ? skip : diffs.skipReason(second);
  }

  private void remember(String key, String content) {
    if (content == null) {
      return;
    }
    if (diffs.skipReason(content) == null) {
      contents.put(key, content);
    } else {
      contents.delete(key);
    }
  }

  private void forgetSession(EventEnvelope event) {
    List<String> keys = new ArrayList<>();
    try (KeyValueIterator<String, String> files =
        contents.prefixScan(event.session().key() + "/", new StringSerializer())) {
      files.forEachRemaining(entry -> keys.add(entry.key));
    }
    keys.forEach(contents::delete);
  }

  private static void put(ObjectNode data, FileDiffs.Diff diff, String context) {
    data.put("diff", diff.text());
    data.put("diffPreview", diff.preview());
    data.put("linesAdded", diff.linesAdded());
    data.put("linesRemoved", diff.linesRemoved());
    data.put("diffContext", context);
  }

  private static String replaceFirst(String content, String oldString, String newString) {
    int at = content.indexOf(oldString);
    return content.substring(0, at) + newString + content.substring(at + oldString.length());
  }

  /** Org and session ids cannot hold {@code /}, so the session's files share this prefix. */
  private static String contentKey(EventEnvelope event, String path) {
    return event.session().key() + "/" + path;
  }

  private static String text(ObjectNode data, String field) {
    JsonNode value = data.get(field);
    return value != null && value.isString() ? value.asString() : null;
  }

  private static boolean created(EventEnvelope event) {
    return event.type() == EventType.FILE_CREATED;
  }

  private static boolean deleted(EventEnvelope event) {
    return event.type() == EventType.FILE_DELETED;
  }

  static boolean isFileEvent(EventType type) {
    return type == EventType.FILE_CREATED
        || type == EventType.FILE_EDITED
        || type == EventType.FILE_DELETED;
  }
}
