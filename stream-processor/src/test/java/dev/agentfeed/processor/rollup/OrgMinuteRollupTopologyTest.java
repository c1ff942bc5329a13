package dev.agentfeed.processor.rollup;

import static dev.agentfeed.processor.testing.TestPipeline.T0;
import static dev.agentfeed.processor.testing.TestPipeline.event;
import static dev.agentfeed.processor.testing.TestPipeline.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.EventType;
import dev.agentfeed.processor.testing.TopologyTestBase;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Per-org minutes through the application's topology, with the default grace of 30 s: record time
 * drives the windows, a minute is written once the stream is 30 s past its end.
 */
class OrgMinuteRollupTopologyTest extends TopologyTestBase {

  @Test
  void shouldWriteNothingBeforeTheGraceHasPassed() {
    pipe(10, "org-a", "ses-1", "e1", EventType.LOG, "{'message':'x'}");
    pipe(89, "org-a", "ses-1", "e2", EventType.LOG, "{'message':'y'}");

    assertThat(pipeline.orgMinutes()).isEmpty();
  }

  @Test
  void shouldCountLateEventInsideGraceAndDropOneOutsideIt() {
    pipe(
        10,
        "org-a",
        "ses-1",
        "e1",
        EventType.TOOL_COMPLETED,
        "{'toolId':'t1','toolName':'Read','success':true}");
    pipe(
        20,
        "org-a",
        "ses-2",
        "e2",
        EventType.TOOL_FAILED,
        "{'toolId':'t2','toolName':'Bash','error':'exit 1'}");
    pipe(30, "org-b", "ses-1", "e3", EventType.LOG, "{'message':'x'}");
    pipe(50, "org-a", "ses-1", "e4", EventType.FILE_CREATED, "{'path':'a.txt','after':'1\\n2\\n'}");
    pipe(65, "org-a", "ses-1", "e5", EventType.LOG, "{'message':'next minute'}");
    // Late, but the stream is only 25 s past the minute: inside the grace.
    pipe(
        40,
        "org-a",
        "ses-2",
        "e6",
        EventType.FILE_EDITED,
        "{'path':'b.txt','before':'x\\n','after':'y\\n'}");
    pipe(91, "org-a", "ses-3", "e7", EventType.LOG, "{'message':'closes minute 0'}");
    // Late, after minute 0 was written: outside the grace, not counted anywhere.
    pipe(45, "org-a", "ses-1", "e8", EventType.LOG, "{'message':'too late'}");
    pipe(151, "org-b", "ses-9", "e9", EventType.LOG, "{'message':'closes minute 1'}");

    assertThat(pipeline.orgMinutes())
        .containsExactlyInAnyOrder(
            minute(
                "org-a",
                0,
                "'events':4,'sessionsActive':2,'toolCalls':2,'toolFailures':1,"
                    + "'filesEdited':2,'fileChanges':2,'linesAdded':3,'linesRemoved':1"),
            minute(
                "org-b",
                0,
                "'events':1,'sessionsActive':1,'toolCalls':0,'toolFailures':0,"
                    + "'filesEdited':0,'fileChanges':0,'linesAdded':0,'linesRemoved':0"),
            minute(
                "org-a",
                1,
                "'events':2,'sessionsActive':2,'toolCalls':0,'toolFailures':0,"
                    + "'filesEdited':0,'fileChanges':0,'linesAdded':0,'linesRemoved':0"));
  }

  /** Pipes an event and lets the default flush interval (1 s) pass, so its count is sent on. */
  private void pipe(
      int second, String org, String session, String id, EventType type, String data) {
    pipeInSameFlush(second, org, session, id, type, data);
    pipeline.advanceWallClock(Duration.ofSeconds(1));
  }

  private void pipeInSameFlush(
      int second, String org, String session, String id, EventType type, String data) {
    Instant at = T0.plusSeconds(second);
    pipeline.pipeAt(at, event(org, session, id, type, at, data));
  }

  @Test
  void shouldAddUpTheCountsOfOneFlushIntervalOnce() {
    pipeInSameFlush(
        5,
        "org-a",
        "ses-1",
        "e1",
        EventType.TOOL_COMPLETED,
        "{'toolId':'t1','toolName':'Read','success':false}");
    pipeInSameFlush(6, "org-a", "ses-2", "e2", EventType.LOG, "{'message':'x'}");
    pipeInSameFlush(7, "org-a", "ses-1", "e3", EventType.LOG, "{'message':'y'}");
    pipeline.advanceWallClock(Duration.ofSeconds(1));
    pipeInSameFlush(12, "org-a", "ses-3", "e4", EventType.LOG, "{'message':'z'}");
    pipeline.advanceWallClock(Duration.ofSeconds(1));
    pipe(95, "org-a", "ses-1", "e5", EventType.LOG, "{'message':'closes minute 0'}");

    assertThat(pipeline.orgMinutes())
        .containsExactly(
            minute(
                "org-a",
                0,
                "'events':4,'sessionsActive':3,'toolCalls':1,'toolFailures':1,"
                    + "'filesEdited':0,'fileChanges':0,'linesAdded':0,'linesRemoved':0"));
  }

  @Test
  void shouldJudgeALateEventWhenItsFlushSendsItOldestMinuteFirst() {
    pipe(10, "org-a", "ses-1", "e1", EventType.LOG, "{'message':'x'}");
    pipe(85, "org-a", "ses-1", "e2", EventType.LOG, "{'message':'y'}");
    // Within one flush: an event that moves the stream past minute 0's grace, then one of minute
    // 0. Minute 0's partial count is sent first, so the late event still counts.
    pipeInSameFlush(95, "org-a", "ses-1", "e3", EventType.LOG, "{'message':'closes minute 0'}");
    pipeInSameFlush(50, "org-a", "ses-2", "e4", EventType.LOG, "{'message':'late'}");
    pipeline.advanceWallClock(Duration.ofSeconds(1));

    assertThat(pipeline.orgMinutes())
        .containsExactly(
            minute(
                "org-a",
                0,
                "'events':2,'sessionsActive':2,'toolCalls':0,'toolFailures':0,"
                    + "'filesEdited':0,'fileChanges':0,'linesAdded':0,'linesRemoved':0"));
  }

  private static KeyValue<String, JsonNode> minute(String org, int minute, String counts) {
    Instant start = T0.plusSeconds(60L * minute);
    return KeyValue.pair(
        org,
        json(
            "{'orgId':'"
                + org
                + "','windowStart':'"
                + start
                + "','windowEnd':'"
                + start.plusSeconds(60)
                + "',"
                + counts
                + "}"));
  }
}
