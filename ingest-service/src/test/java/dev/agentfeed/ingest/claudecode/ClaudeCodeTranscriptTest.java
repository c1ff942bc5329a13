package dev.agentfeed.ingest.claudecode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.ingest.TestResources;
import dev.agentfeed.ingest.redaction.PlantedSecrets;
import dev.agentfeed.ingest.redaction.SecretRedactor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class ClaudeCodeTranscriptTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final SecretRedactor REDACTOR =
      new SecretRedactor(Map.of(), SecretRedactor.RedactionCounter.NONE);
  private static final Instant START = Instant.parse("2026-01-30T12:00:00Z");

  /** A clock 100 ms further on each time it is read: each line arrives 100 ms after the last. */
  private static final class TickingClock extends Clock {
    private Instant next = START;

    @Override
    public Instant instant() {
      Instant now = next;
      next = next.plus(Duration.ofMillis(100));
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  static List<String> resource(String name) {
    return TestResources.text("claude-code/" + name).lines().toList();
  }

  /** Every event of the transcript, including what its end adds. */
  private static List<ObjectNode> translate(List<String> lines) {
    ClaudeCodeTranscript transcript =
        new ClaudeCodeTranscript("acme", "ses-1", new TickingClock(), REDACTOR);
    List<ObjectNode> events = new ArrayList<>();
    for (String line : lines) {
      events.addAll(transcript.line(JSON.readTree(line)).events());
    }
    events.addAll(transcript.end());
    return events;
  }

  /**
   * Each event as {@code {"type":…,"data":…}}: what the mapping decides. Read back from its text,
   * as a consumer would, so that numbers compare by value rather than by Java type.
   */
  private static List<JsonNode> typesAndData(List<ObjectNode> events) {
    return events.stream()
        .map(
            e ->
                JSON.readTree(
                    JSON.createObjectNode()
                        .put("type", e.get("type").asString())
                        .set("data", e.get("data"))
                        .toString()))
        .toList();
  }

  private static List<JsonNode> expected(String... typeAndData) {
    return java.util.Arrays.stream(typeAndData)
        .map(text -> JSON.readTree(text.replace('\'', '"')))
        .toList();
  }

  @Test
  void shouldTranslateTheSampleTranscriptIntoTheExpectedEvents() {
    List<JsonNode> expected =
        resource("sample.expected.jsonl").stream().map(JSON::readTree).toList();

    assertThat(typesAndData(translate(resource("sample.jsonl")))).isEqualTo(expected);
  }

  @Test
  void shouldSendTheWholeThinkingWhenTheTranscriptHasNoPartialMessages() {
    List<String> withoutPartials =
        resource("sample.jsonl").stream()
            .filter(line -> !line.startsWith("{\"type\":\"stream_event\""))
            .toList();
    // The same events as with partial messages, but no chunks: the completion carries the text.
    // Without stream events each line still arrives 100 ms after the last.
    List<JsonNode> expected =
        resource("sample.expected.jsonl").stream()
            .map(JSON::readTree)
            .filter(event -> !event.get("type").asString().equals("message.chunk"))
            .map(
                event ->
                    event.get("type").asString().equals("thinking.completed")
                        ? JSON.readTree(
                            "{\"type\":\"thinking.completed\",\"data\":{\"thinkingId\":\"msg_A1/0\","
                                + "\"text\":\"The config loader ignores env overrides; find where it"
                                + " reads them.\"}}")
                        : event)
            .toList();

    assertThat(typesAndData(translate(withoutPartials))).isEqualTo(expected);
  }

  @Test
  void shouldStampEveryEventWithTheCallersOrgTheSessionAndTheSource() {
    Set<String> envelopes =
        translate(resource("sample.jsonl")).stream()
            .map(
                e ->
                    e.get("orgId").asString()
                        + " "
                        + e.get("sessionId").asString()
                        + " "
                        + e.get("agentId").asString()
                        + " "
                        + e.get("source").asString())
            .collect(Collectors.toSet());

    assertThat(envelopes).containsExactly("acme ses-1 claude-code claude-code");
  }

  @Test
  void shouldDeriveDistinctIdsThatAreTheSameWhenTheTranscriptIsTranslatedAgain() {
    List<String> first =
        translate(resource("sample.jsonl")).stream().map(e -> e.get("id").asString()).toList();
    List<String> second =
        translate(resource("sample.jsonl")).stream().map(e -> e.get("id").asString()).toList();

    assertThat(second).isEqualTo(first).doesNotHaveDuplicates();
  }

  @Test
  void shouldSendStreamedTextAsChunksAndCloseTheMessageWithoutRepeatingIt() {
    List<String> lines =
        List.of(
            "{'type':'stream_event','event':{'type':'message_start','message':{'id':'msg_1'}},'uuid':'u1'}",
            "{'type':'stream_event','event':{'type':'content_block_start','index':0,'content_block':{'type':'text','text':''}},'uuid':'u2'}",
            "{'type':'stream_event','event':{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'The fix '}},'uuid':'u3'}",
            "{'type':'stream_event','event':{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'is in.'}},'uuid':'u4'}",
            "{'type':'stream_event','event':{'type':'content_block_stop','index':0},'uuid':'u5'}",
            "{'type':'assistant','message':{'id':'msg_1','content':[{'type':'text','text':'The fix is in.'}],'usage':{'input_tokens':10,'output_tokens':4}},'uuid':'u6'}",
            "{'type':'result','subtype':'success','is_error':false,'result':'The fix is in.','duration_ms':900,'num_turns':1,'total_cost_usd':0.01,'usage':{'input_tokens':10,'output_tokens':4}}");

    assertThat(typesAndData(translate(lines.stream().map(l -> l.replace('\'', '"')).toList())))
        .isEqualTo(
            expected(
                "{'type':'message.chunk','data':{'messageId':'msg_1/0','chunkIndex':0,'text':'The fix ','role':'assistant'}}",
                // The last word is held until the block ends: it could be the start of a secret.
                "{'type':'message.chunk','data':{'messageId':'msg_1/0','chunkIndex':1,'text':'is ','role':'assistant'}}",
                "{'type':'message.chunk','data':{'messageId':'msg_1/0','chunkIndex':2,'text':'in.','role':'assistant'}}",
                "{'type':'message.completed','data':{'messageId':'msg_1/0','role':'assistant','chunkCount':3,'usage':{'inputTokens':10,'outputTokens':4}}}",
                "{'type':'session.completed','data':{'summary':'The fix is in.','durationMs':900,'turns':1,'usage':{'inputTokens':10,'outputTokens':4,'costUsd':0.01}}}"));
  }

  /** The stream-json lines of one streamed text block whose deltas are {@code pieces}. */
  private static List<String> streamedBlock(List<String> pieces, boolean stop) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "{'type':'stream_event','event':{'type':'message_start','message':{'id':'msg_1'}},'uuid':'u0'}");
    for (int i = 0; i < pieces.size(); i++) {
      lines.add(
          "{'type':'stream_event','event':{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':"
              + JSON.writeValueAsString(pieces.get(i)).replace('"', '\'')
              + "}},'uuid':'d"
              + i
              + "'}");
    }
    if (stop) {
      lines.add(
          "{'type':'stream_event','event':{'type':'content_block_stop','index':0},'uuid':'stop'}");
    }
    return lines.stream().map(l -> l.replace('\'', '"')).toList();
  }

  private static String chunkText(List<ObjectNode> events) {
    return events.stream()
        .filter(e -> e.get("type").asString().equals("message.chunk"))
        .map(e -> e.get("data").get("text").asString())
        .collect(Collectors.joining());
  }

  @Test
  void shouldRedactASecretStreamedOverSeveralDeltas() {
    String key = PlantedSecrets.ANTHROPIC;
    List<String> pieces = new ArrayList<>(List.of("Your key is "));
    for (int at = 0; at < key.length(); at += 4) {
      pieces.add(key.substring(at, Math.min(key.length(), at + 4)));
    }
    pieces.add(" and it works.");

    List<ObjectNode> events = translate(streamedBlock(pieces, true));

    assertThat(chunkText(events)).isEqualTo("Your key is [REDACTED:anthropic-key] and it works.");
    assertThat(events.toString()).doesNotContain(key.substring(0, 12), key.substring(12));
  }

  @Test
  void shouldSendTheHeldBackTextWhenTheStreamEndsWithoutItsBlockStop() {
    List<String> lines = new ArrayList<>(streamedBlock(List.of("Half a sen", "tence"), false));
    List<ObjectNode> cutOff = translate(lines);
    lines.add(
        "{\"type\":\"assistant\",\"message\":{\"id\":\"msg_1\",\"content\":[{\"type\":\"text\",\"text\":\"Half a sentence\"}]},\"uuid\":\"a1\"}");
    List<ObjectNode> completed = translate(lines);

    assertThat(chunkText(cutOff)).isEqualTo("Half a sentence");
    assertThat(chunkText(completed)).isEqualTo("Half a sentence");
    assertThat(typesAndData(completed).subList(1, 3))
        .isEqualTo(
            expected(
                "{'type':'message.chunk','data':{'messageId':'msg_1/0','chunkIndex':1,'text':'sentence','role':'assistant'}}",
                "{'type':'message.completed','data':{'messageId':'msg_1/0','role':'assistant','chunkCount':2}}"));
  }

  @Test
  void shouldSendTheWholeTextWhenTheMessageWasNotStreamed() {
    List<String> lines =
        List.of(
            "{'type':'assistant','message':{'id':'msg_1','content':[{'type':'text','text':'Done.'}]},'uuid':'u1'}");

    assertThat(typesAndData(translate(lines.stream().map(l -> l.replace('\'', '"')).toList())))
        .isEqualTo(
            expected(
                "{'type':'message.completed','data':{'messageId':'msg_1/0','role':'assistant','text':'Done.'}}",
                "{'type':'session.failed','data':{'error':'no_result','reason':'the Claude Code stream ended after 1 messages without a result line: the process was killed, crashed or lost its output'}}"));
  }

  @Test
  void shouldReportAWriteToANewPathAsCreatedAndToAPathReadBeforeAsEdited() {
    List<String> lines =
        List.of(
            "{'type':'assistant','message':{'id':'m1','content':[{'type':'tool_use','id':'t1','name':'Read','input':{'file_path':'/r/a.txt'}}]},'uuid':'u1'}",
            "{'type':'user','message':{'content':[{'type':'tool_result','tool_use_id':'t1','content':'old'}]},'uuid':'u2'}",
            "{'type':'assistant','message':{'id':'m2','content':[{'type':'tool_use','id':'t2','name':'Write','input':{'file_path':'/r/a.txt','content':'new'}},{'type':'tool_use','id':'t3','name':'Write','input':{'file_path':'/r/b.txt','content':'b'}}]},'uuid':'u3'}",
            "{'type':'user','message':{'content':[{'type':'tool_result','tool_use_id':'t2','content':'ok'},{'type':'tool_result','tool_use_id':'t3','content':[{'type':'text','text':'ok'}]}]},'uuid':'u4'}",
            "{'type':'result','subtype':'success','result':'done'}");

    List<String> fileEvents =
        translate(lines.stream().map(l -> l.replace('\'', '"')).toList()).stream()
            .filter(e -> e.get("type").asString().startsWith("file."))
            .map(
                e ->
                    e.get("type").asString()
                        + " "
                        + e.get("data").get("path").asString()
                        + " "
                        + e.get("data").get("after").asString())
            .toList();

    assertThat(fileEvents)
        .isEqualTo(List.of("file.edited /r/a.txt new", "file.created /r/b.txt b"));
  }

  @Test
  void shouldSendNoFileEventForAnEditThatFailed() {
    List<String> lines =
        List.of(
            "{'type':'assistant','message':{'id':'m1','content':[{'type':'tool_use','id':'t1','name':'Edit','input':{'file_path':'/r/a','old_string':'x','new_string':'y'}}]},'uuid':'u1'}",
            "{'type':'user','message':{'content':[{'type':'tool_result','tool_use_id':'t1','content':'String not found','is_error':true}]},'uuid':'u2'}");

    assertThat(typesAndData(translate(lines.stream().map(l -> l.replace('\'', '"')).toList())))
        .isEqualTo(
            expected(
                "{'type':'tool.started','data':{'toolId':'t1','toolName':'Edit','input':{'file_path':'/r/a','old_string':'x','new_string':'y'}}}",
                "{'type':'tool.failed','data':{'toolId':'t1','toolName':'Edit','durationMs':100,'error':'String not found','output':'String not found'}}",
                "{'type':'session.failed','data':{'error':'no_result','reason':'the Claude Code stream ended after 2 messages without a result line: the process was killed, crashed or lost its output'}}"));
  }

  @Test
  void shouldReportATodoListAsProgress() {
    List<String> lines =
        List.of(
            "{'type':'assistant','message':{'id':'m1','content':[{'type':'tool_use','id':'t1','name':'TodoWrite','input':{'todos':[{'content':'Fix','status':'completed','activeForm':'Fixing'},{'content':'Test','status':'in_progress','activeForm':'Testing'},{'content':'Ship','status':'pending','activeForm':'Shipping'}]}}]},'uuid':'u1'}");

    JsonNode progress =
        typesAndData(translate(lines.stream().map(l -> l.replace('\'', '"')).toList())).get(1);

    assertThat(((ObjectNode) progress.get("data").deepCopy()).without("todos"))
        .isEqualTo(JSON.readTree("{\"message\":\"1 of 3 tasks done; Testing\",\"percent\":33.3}"));
  }

  @Test
  void shouldKeepAnUnknownLineTypeAsALogEvent() {
    List<String> lines =
        List.of(
            "{'type':'hook_event','name':'pre','uuid':'u1'}",
            "{'type':'result','subtype':'success'}");

    assertThat(
            typesAndData(translate(lines.stream().map(l -> l.replace('\'', '"')).toList())).get(0))
        .isEqualTo(
            JSON.readTree(
                "{\"type\":\"log\",\"data\":{\"level\":\"info\",\"message\":\"unknown stream-json line type 'hook_event'\","
                    + "\"raw\":\"{\\\"type\\\":\\\"hook_event\\\",\\\"name\\\":\\\"pre\\\",\\\"uuid\\\":\\\"u1\\\"}\"}}"));
  }

  @Test
  void shouldTranslateMessagesOfUnexpectedShapesWithoutFailing() {
    List<String> lines =
        List.of(
            "{'type':'assistant','message':'just a string'}",
            "{'type':'assistant','message':{'id':7,'content':{'type':'text'}}}",
            "{'type':'assistant','message':{'content':[null,1,{'type':'tool_use'}]}}",
            "{'type':'user','message':{'content':[{'type':'tool_result','tool_use_id':'nope','content':42}]}}",
            "{'type':'user','message':{'content':'a prompt'}}",
            "{'type':'stream_event','event':{'type':'content_block_delta','index':'x','delta':{}}}",
            "{'type':'result','subtype':'success','duration_ms':'soon','num_turns':1e30,'usage':[]}");

    List<String> types =
        translate(lines.stream().map(l -> l.replace('\'', '"')).toList()).stream()
            .map(e -> e.get("type").asString())
            .toList();

    assertThat(types)
        .isEqualTo(
            List.of(
                "log",
                "log",
                "log",
                "log",
                "tool.completed",
                "message.completed",
                "session.completed"));
  }

  @Test
  void shouldRefuseALineThatIsNoStreamJsonMessage() {
    ClaudeCodeTranscript transcript =
        new ClaudeCodeTranscript("acme", "ses-1", new TickingClock(), REDACTOR);

    assertThat(
            List.of(
                transcript.line(JSON.readTree("[1]")), transcript.line(JSON.readTree("{\"x\":1}"))))
        .isEqualTo(
            List.of(
                new ClaudeCodeTranscript.LineResult(
                    List.of(), "not a stream-json message: a line must be a JSON object"),
                new ClaudeCodeTranscript.LineResult(
                    List.of(), "not a stream-json message: 'type' is missing or not a string")));
  }
}
