package dev.agentfeed.gateway.feed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.EventCodec;
import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.model.LiveBatch;
import dev.agentfeed.model.Tier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The streaming decoder against the tree decoder it replaced ({@link RecordDecoder#decodeByTree}):
 * the same result (or the same refusal) for every form a {@code feed.live} value can take, and the
 * streaming pass actually answering for what the stream processor writes.
 */
class RecordDecoderTest {

  private static final String TS = "2026-11-24T08:00:00.123Z";
  private static final String AT = "2026-11-24T08:00:01.5Z";

  private final EventCodec codec = new EventCodec();
  private final RecordDecoder decoder = new RecordDecoder(codec);
  private final LiveRecordScanner scanner = new LiveRecordScanner(codec.mapper());

  @Test
  void shouldReadWhatTheProcessorWritesInOneStreamingPass() {
    List<byte[]> written =
        List.of(
            codec.toBytes(event("e1", EventType.MESSAGE_CHUNK, 7, richData())),
            codec.toBytes(
                event("e2", EventType.SESSION_STARTED, 1, codec.mapper().createObjectNode())),
            codec.toBytes(
                LiveBatch.of(
                    List.of(
                        event("e3", EventType.TOOL_STARTED, 8, richData()),
                        event("e4", EventType.LOG, 9, richData()).withReceivedAt(null),
                        event("e5", EventType.TOOL_COMPLETED, 10, richData())))));

    List<String> unread = new ArrayList<>();
    for (byte[] value : written) {
      if (scanner.scan(value, true) == null) {
        unread.add(new String(value, StandardCharsets.UTF_8));
      }
      assertSameAsTree(value);
    }
    assertThat(unread).isEmpty();
  }

  @Test
  void shouldDecodeEveryOddValidAndMalformedFormAsTheTreeDoes() {
    String event =
        "{\"id\":\"e1\",\"type\":\"log\",\"orgId\":\"org\",\"sessionId\":\"ses\",\"ts\":\""
            + TS
            + "\",\"data\":{\"text\":\"hi\"},\"receivedAt\":\""
            + AT
            + "\",\"seq\":3,\"tier\":2}";
    String item =
        "{\"id\":\"e2\",\"type\":\"tool.started\",\"orgId\":\"org\",\"sessionId\":\"ses\",\"ts\":\""
            + TS
            + "\",\"data\":DATA,\"receivedAt\":\""
            + AT
            + "\",\"seq\":4,\"tier\":2}";
    String batch =
        "{\"type\":\"batch\",\"orgId\":\"org\",\"sessionId\":\"ses\",\"firstSeq\":4,\"lastSeq\":4,"
            + "\"events\":[ITEM]}";
    List<String> forms = new ArrayList<>();
    forms.add(event);
    // Odd but valid events: whitespace, field order, unknown fields, nulls, coercions, instants.
    forms.add(" \n" + event.replace(",", ", ").replace(":", " : ") + "\n ");
    forms.add(event.replace("{\"id\":\"e1\",", "{\"extra\":[1,{\"a\":null}],\"id\":\"e1\","));
    forms.add(event.replace("\"tier\":2", "\"tier\":2,\"agentId\":null,\"source\":\"cli\""));
    forms.add(event.replace("\"seq\":3", "\"seq\":null"));
    forms.add(event.replace("\"seq\":3", "\"seq\":\"3\""));
    forms.add(event.replace("\"seq\":3", "\"seq\":3.0"));
    forms.add(event.replace("\"seq\":3", "\"seq\":3.7"));
    forms.add(event.replace("\"seq\":3", "\"seq\":123456789012345678901234567890"));
    forms.add(event.replace("\"seq\":3", "\"seq\":-0"));
    forms.add(event.replace("\"tier\":2", "\"tier\":\"2\""));
    forms.add(event.replace("\"tier\":2", "\"tier\":3000000000"));
    forms.add(event.replace("\"tier\":2", "\"tier\":[2]"));
    forms.add(event.replace("\"receivedAt\":\"" + AT + "\"", "\"receivedAt\":null"));
    forms.add(event.replace(AT, "2026-11-24T09:00:01.5+01:00"));
    forms.add(event.replace(AT, "2026-11-24t08:00:01.5z"));
    forms.add(event.replace(AT, "1764000000"));
    forms.add(event.replace(AT, "2026-11-24T23:59:60Z"));
    forms.add(event.replace(AT, "2026-02-29T08:00:01Z"));
    forms.add(event.replace(AT, "2028-02-29T08:00:01Z"));
    forms.add(event.replace(AT, "2026-11-24T08:00:01.123456789Z"));
    forms.add(event.replace(AT, "2026-11-24T08:00:01.1234567891Z"));
    forms.add(event.replace(AT, "2026-11-24T08:00:01.Z"));
    forms.add(event.replace(AT, "2026-11-24T24:00:00Z"));
    forms.add(event.replace(AT, "+12026-11-24T08:00:01Z"));
    forms.add(event.replace("\"receivedAt\":\"" + AT + "\"", "\"receivedAt\":1764000000.5"));
    forms.add(event.replace("\"id\":\"e1\"", "\"id\":42"));
    forms.add(event.replace("\"orgId\":\"org\"", "\"orgId\":7"));
    forms.add(
        event.replace("\"source\"", "\"source\"").replace("\"tier\":2", "\"tier\":2,\"source\":5"));
    forms.add(event.replace("\"text\":\"hi\"", "\"text\":\"h\\u00e9\\/\\n\\u0001\\ud83d\\ude00\""));
    forms.add(event.replace("\"seq\":3", "\"seq\":3,\"events\":[1,2],\"firstSeq\":\"x\""));
    forms.add(event.replace("\"seq\":3", "\"seq\":3,\"session\":{\"orgId\":\"x\"}"));
    // Invalid events: missing, null, duplicated, mistyped or unknown required fields.
    forms.add(event.replace("\"id\":\"e1\",", ""));
    forms.add(event.replace("\"ts\":\"" + TS + "\",", ""));
    forms.add(event.replace("\"data\":{\"text\":\"hi\"},", ""));
    forms.add(event.replace("\"data\":{\"text\":\"hi\"}", "\"data\":null"));
    forms.add(event.replace("\"data\":{\"text\":\"hi\"}", "\"data\":[1]"));
    forms.add(event.replace("\"data\":{\"text\":\"hi\"}", "\"data\":\"text\""));
    forms.add(event.replace("\"id\":\"e1\"", "\"id\":null"));
    forms.add(event.replace("\"id\":\"e1\"", "\"id\":{\"a\":1}"));
    forms.add(event.replace("\"type\":\"log\"", "\"type\":\"LOG\""));
    forms.add(event.replace("\"type\":\"log\"", "\"type\":\"nope\""));
    forms.add(event.replace("\"type\":\"log\"", "\"type\":null"));
    forms.add(event.replace("\"type\":\"log\"", "\"type\":1"));
    forms.add(event.replace("\"type\":\"log\"", "\"type\":\"log\",\"type\":\"tool.started\""));
    forms.add(event.replace("\"seq\":3", "\"seq\":3,\"seq\":4"));
    forms.add(event.replace("\"sessionId\":\"ses\"", "\"sessionId\":null"));
    forms.add(event.replace(TS, "yesterday"));
    forms.add(event.replace(TS, "2026-13-24T08:00:00Z"));
    // Malformed JSON and other top-level values.
    forms.add(event + " x");
    forms.add(event + " {}");
    forms.add(event.substring(0, event.length() - 1));
    forms.add(event.replace("\"tier\":2", "\"tier\":2,"));
    forms.add("");
    forms.add("null");
    forms.add("[]");
    forms.add("\"event\"");
    forms.add("42");
    forms.add("{}");
    forms.add("{\"type\":\"batch\"}");
    // Batches: canonical, odd but valid, and invalid.
    String data = "{\"tool\":\"bash\",\"n\":1,\"x\":[true,null,{\"k\":0.5}]}";
    String canonicalItem = item.replace("DATA", data);
    forms.add(batch.replace("ITEM", canonicalItem));
    forms.add(
        batch.replace(
            "ITEM", canonicalItem + "," + canonicalItem.replace("\"seq\":4", "\"seq\":5")));
    forms.add(
        batch
            .replace(
                "{\"type\":\"batch\",\"orgId\":\"org\",", "{\"orgId\":\"org\",\"type\":\"batch\",")
            .replace("ITEM", canonicalItem));
    forms.add(
        batch
            .replace("ITEM", canonicalItem)
            .replace("\"lastSeq\":4", "\"lastSeq\":4,\"extra\":{}"));
    forms.add(batch.replace("ITEM", canonicalItem.replace(",", ", ")));
    forms.add(batch.replace("ITEM", canonicalItem.replace("\"tier\":2", "\"tier\":2,\"extra\":1")));
    forms.add(
        batch.replace(
            "ITEM",
            canonicalItem.replace(
                "{\"id\":\"e2\",\"type\":\"tool.started\",",
                "{\"type\":\"tool.started\",\"id\":\"e2\",")));
    forms.add(
        batch.replace("ITEM", canonicalItem.replace("\"tier\":2", "\"tier\":2,\"agentId\":null")));
    forms.add(batch.replace("ITEM", canonicalItem.replace(AT, "2026-11-24T08:00:01.500Z")));
    forms.add(batch.replace("ITEM", canonicalItem.replace(AT, "2026-11-24T08:00:01.000Z")));
    forms.add(batch.replace("ITEM", canonicalItem.replace(AT, "2026-11-24T08:00:01.100200Z")));
    forms.add(batch.replace("ITEM", canonicalItem.replace(AT, "2026-11-24T08:00:01.100200300Z")));
    forms.add(batch.replace("ITEM", canonicalItem.replace("\"seq\":4", "\"seq\":\"4\"")));
    for (String odd :
        List.of(
            "{\"a\":1.50}",
            "{\"a\":1e2}",
            "{\"a\":-0}",
            "{\"a\":1E400}",
            "{\"a\":0.001}",
            "{\"a\":1.0E-5}",
            "{\"a\":1,\"a\":2}",
            "{\"a\":{\"b\":1,\"b\":1}}",
            "{\"a\":[{\"b\":1},{\"b\":1}]}",
            "{\"a\":\"\\/\"}",
            "{\"a\":\"\\u00e9\"}",
            "{\"a\":\"\\u0001\"}",
            "{\"a\":\"\\n\\t\\r\\b\\f\\\"\\\\\"}",
            "{\"a\":\"é😀\u2028\"}",
            "{\"a\":123456789012345678901234567890}",
            "{}",
            "{\"a\":[]}")) {
      forms.add(batch.replace("ITEM", item.replace("DATA", odd)));
    }
    forms.add(batch.replace("ITEM", ""));
    forms.add(batch.replace("ITEM", "null"));
    forms.add(batch.replace("ITEM", canonicalItem + ",1"));
    forms.add(
        batch.replace("ITEM", canonicalItem.replace("\"orgId\":\"org\"", "\"orgId\":\"other\"")));
    forms.add(
        batch.replace(
            "ITEM", canonicalItem.replace("\"sessionId\":\"ses\"", "\"sessionId\":\"other\"")));
    forms.add(batch.replace("ITEM", canonicalItem.replace("\"id\":\"e2\",", "")));
    forms.add(
        batch.replace(
            "ITEM", canonicalItem.replace("\"type\":\"tool.started\"", "\"type\":\"batch\"")));
    forms.add(batch.replace("ITEM", canonicalItem).replace("\"firstSeq\":4,", ""));
    forms.add(batch.replace("ITEM", canonicalItem).replace("\"firstSeq\":4", "\"firstSeq\":\"4\""));
    forms.add(batch.replace("ITEM", canonicalItem).replace("\"firstSeq\":4", "\"firstSeq\":null"));
    forms.add(batch.replace("ITEM", canonicalItem).replace("\"lastSeq\":4", "\"lastSeq\":4.5"));
    forms.add(
        batch
            .replace("ITEM", canonicalItem)
            .replace("\"orgId\":\"org\",\"sessionId\"", "\"orgId\":1,\"sessionId\""));
    forms.add(
        batch
            .replace("ITEM", canonicalItem)
            .replace("\"orgId\":\"org\",\"sessionId\"", "\"sessionId\""));
    forms.add(
        batch
            .replace("ITEM", canonicalItem)
            .replace("\"events\":[", "\"events\":{\"x\":[")
            .replace("]}", "]}}"));
    forms.add(
        batch
            .replace("ITEM", canonicalItem)
            .replace("\"lastSeq\":4", "\"lastSeq\":4,\"lastSeq\":5"));
    forms.add(
        batch
            .replace("ITEM", canonicalItem)
            .replace("\"type\":\"batch\"", "\"type\":\"batch\",\"type\":\"batch\""));
    forms.add(
        batch
            .replace("ITEM", canonicalItem)
            .replace("\"lastSeq\":4", "\"lastSeq\":4,\"seq\":\"x\",\"data\":7"));

    for (String form : forms) {
      assertSameAsTree(form.getBytes(StandardCharsets.UTF_8));
    }
    assertSameAsTree(null);
  }

  @Test
  void shouldDecodeRandomBatchesAsTheTreeDoes() {
    Random random = new Random(20261124);
    for (int i = 0; i < 300; i++) {
      List<EventEnvelope> events = new ArrayList<>();
      int count = 1 + random.nextInt(4);
      for (int j = 0; j < count; j++) {
        EventEnvelope event =
            new EventEnvelope(
                "e" + i + "-" + j,
                EventType.values()[random.nextInt(EventType.values().length)],
                "org",
                "ses",
                random.nextBoolean() ? "agent" : null,
                random.nextBoolean() ? randomText(random) : null,
                Instant.ofEpochSecond(1_764_000_000L + random.nextInt(1000), randomNanos(random)),
                randomData(random, 0),
                random.nextBoolean()
                    ? Instant.ofEpochSecond(1_764_000_000L, randomNanos(random))
                    : null,
                (long) (i * 10 + j + 1),
                Tier.BATCHED.number());
        events.add(event);
      }
      byte[] value = codec.toBytes(LiveBatch.of(events));
      assertSameAsTree(value);
      // The processor's own encoding is always read by the streaming pass.
      assertThat(scanner.scan(value, true)).isNotNull();
    }
  }

  private void assertSameAsTree(byte[] value) {
    ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("feed.live", 2, 40, null, value);
    String form = value == null ? "null value" : new String(value, StandardCharsets.UTF_8);
    assertThat(view(decoder.decode(record)))
        .as("decode %s", form)
        .isEqualTo(view(decoder.decodeByTree(record)));
    assertThat(decoder.peek(record)).as("peek %s", form).isEqualTo(decoder.peekByTree(record));
  }

  /** What a FeedRecord holds, comparable. */
  private static Optional<List<Object>> view(Optional<FeedRecord> record) {
    return record.map(r -> List.of(r.partition(), r.offset(), r.session(), r.batch(), r.events()));
  }

  private EventEnvelope event(String id, EventType type, long seq, ObjectNode data) {
    return new EventEnvelope(
        id,
        type,
        "org",
        "ses",
        "agent-1",
        "cli",
        Instant.parse(TS),
        data,
        Instant.parse(AT),
        seq,
        type.defaultTier().number());
  }

  private ObjectNode richData() {
    ObjectNode data = codec.mapper().createObjectNode();
    data.put("text", "line one\nline \"two\"\t\\ é 😀 \u0001");
    data.put("n", 42);
    data.put("big", 12345678901234L);
    data.put("ratio", 0.25);
    data.putNull("none");
    ArrayNode list = data.putArray("list");
    list.add(1).add("two").addObject().put("three", 3.5e-7);
    return data;
  }

  private ObjectNode randomData(Random random, int depth) {
    ObjectNode data = codec.mapper().createObjectNode();
    int fields = random.nextInt(5);
    for (int i = 0; i < fields; i++) {
      String name = "f" + random.nextInt(10);
      switch (random.nextInt(depth < 2 ? 7 : 5)) {
        case 0 -> data.put(name, randomText(random));
        case 1 -> data.put(name, random.nextLong() >> random.nextInt(64));
        case 2 -> data.put(name, random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20));
        case 3 -> data.put(name, random.nextBoolean());
        case 4 -> data.putNull(name);
        case 5 -> data.set(name, randomData(random, depth + 1));
        default ->
            data.putArray(name)
                .add(randomText(random))
                .add(random.nextInt())
                .add(randomData(random, depth + 1));
      }
    }
    return data;
  }

  private static String randomText(Random random) {
    String alphabet = "ab \"\\/\n\t\r\b\f\u0001\u001f\u007fé€😀\u2028<>&'";
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(12);
    for (int i = 0; i < length; i++) {
      int at = random.nextInt(alphabet.length());
      char c = alphabet.charAt(at);
      if (Character.isHighSurrogate(c)) {
        text.append(c).append(alphabet.charAt(at + 1));
      } else if (!Character.isLowSurrogate(c)) {
        text.append(c);
      }
    }
    return text.toString();
  }

  private static int randomNanos(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> 0;
      case 1 -> random.nextInt(1000) * 1_000_000;
      case 2 -> random.nextInt(1_000_000) * 1_000;
      default -> random.nextInt(1_000_000_000);
    };
  }
}
