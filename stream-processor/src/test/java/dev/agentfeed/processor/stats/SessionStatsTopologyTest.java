package dev.agentfeed.processor.stats;

import static dev.agentfeed.processor.testing.TestPipeline.T0;
import static dev.agentfeed.processor.testing.TestPipeline.event;
import static dev.agentfeed.processor.testing.TestPipeline.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.processor.ProcessorProperties;
import dev.agentfeed.processor.testing.TopologyTestBase;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Per-session statistics through the application's topology, as {@code sessions.stats} gets them.
 */
class SessionStatsTopologyTest extends TopologyTestBase {

  private static final String ORG = "org-a";
  private static final String SESSION = "ses-1";

  @Autowired private ProcessorProperties settings;

  @Test
  void shouldSumUpAScriptedSession() {
    pipeline.pipe(
        at(0, "e1", EventType.SESSION_STARTED, "{'title':'fix'}"),
        at(1, "e2", EventType.WORKFLOW_PHASE_CHANGED, "{'phase':'planning'}"),
        at(2, "e3", EventType.TOOL_STARTED, "{'toolId':'t1','toolName':'Bash'}"),
        at(
            3,
            "e4",
            EventType.TOOL_COMPLETED,
            "{'toolId':'t1','toolName':'Bash','durationMs':100,'success':true}"),
        at(4, "e5", EventType.TOOL_STARTED, "{'toolId':'t2','toolName':'Bash'}"),
        at(
            5,
            "e6",
            EventType.TOOL_FAILED,
            "{'toolId':'t2','toolName':'Bash','durationMs':300,'error':'exit 2'}"),
        at(6, "e7", EventType.TOOL_COMPLETED, "{'toolId':'t3','toolName':'Read','durationMs':20}"),
        at(
            7,
            "e8",
            EventType.WORKFLOW_PHASE_CHANGED,
            "{'phase':'executing','previousPhase':'planning'}"),
        at(8, "e9", EventType.FILE_CREATED, "{'path':'a.txt','after':'1\\n2\\n'}"),
        at(9, "e10", EventType.FILE_EDITED, "{'path':'a.txt','oldString':'2','newString':'3'}"),
        at(10, "e11", EventType.MESSAGE_CHUNK, "{'messageId':'m1','chunkIndex':0,'text':'ok'}"),
        at(
            11,
            "e12",
            EventType.MESSAGE_COMPLETED,
            "{'messageId':'m1','usage':{'inputTokens':10,'outputTokens':5,'costUsd':0.25}}"),
        at(
            12,
            "e13",
            EventType.MESSAGE_COMPLETED,
            "{'messageId':'m2','text':'bye','usage':{'inputTokens':1,'outputTokens':2}}"),
        at(13, "e14", EventType.SESSION_COMPLETED, "{'summary':'done'}"));
    pipeline.advanceWallClock(settings.statsInterval());

    assertThat(pipeline.sessionsStats())
        .containsExactly(
            KeyValue.pair(
                "org-a/ses-1",
                json(
                    """
                    {'orgId':'org-a','sessionId':'ses-1','agentId':'executor','status':'completed',
                     'firstTs':'2026-01-30T12:00:00Z','lastTs':'2026-01-30T12:00:13Z',
                     'firstReceivedAt':'2026-01-30T12:00:00Z',
                     'firstRecordAt':'2026-01-30T12:00:00Z','firstSeq':1,'lastSeq':14,
                     'events':14,
                     'eventsByType':{'file.created':1,'file.edited':1,'message.chunk':1,
                       'message.completed':2,'session.completed':1,'session.started':1,
                       'tool.completed':2,'tool.failed':1,'tool.started':2,
                       'workflow.phase_changed':2},
                     'tools':{
                       'Bash':{'started':2,'calls':2,'failures':1,'durationP50Ms':100,
                               'durationP95Ms':300,'durationMaxMs':300},
                       'Read':{'started':0,'calls':1,'failures':0,'durationP50Ms':20,
                               'durationP95Ms':20,'durationMaxMs':20}},
                     'files':{'a.txt':{'changes':2,'linesAdded':3,'linesRemoved':1,
                                       'deleted':false}},
                     'filesNotListed':0,'messages':2,'messageChunks':1,'phase':'executing',
                     'phases':[{'phase':'planning','at':'2026-01-30T12:00:01Z','seq':2},
                               {'phase':'executing','at':'2026-01-30T12:00:07Z','seq':8}],
                     'usage':{'inputTokens':11,'outputTokens':7,'cacheReadTokens':0,
                              'costUsd':0.25},
                     'lastError':{'type':'tool.failed','message':'exit 2','toolName':'Bash',
                                  'at':'2026-01-30T12:00:05Z','seq':6}}
                    """)));
  }

  @Test
  void shouldMarkFailedSessionWithItsErrorAndReportedUsage() {
    pipeline.pipe(
        at(
            0,
            "e1",
            EventType.MESSAGE_COMPLETED,
            "{'messageId':'m1','usage':{'inputTokens':10,'outputTokens':5}}"),
        at(
            1,
            "e2",
            EventType.SESSION_FAILED,
            "{'error':'out of budget','usage':{'inputTokens':50,'outputTokens':40,"
                + "'cacheReadTokens':7,'costUsd':1.5}}"));
    pipeline.advanceWallClock(settings.statsInterval());

    JsonNode last = pipeline.sessionsStats().get(0).value;

    assertThat(List.of(last.get("status"), last.get("usage"), last.get("lastError")))
        .containsExactly(
            json("'failed'"),
            json("{'inputTokens':50,'outputTokens':40,'cacheReadTokens':7,'costUsd':1.5}"),
            json(
                "{'type':'session.failed','message':'out of budget',"
                    + "'at':'2026-01-30T12:00:01Z','seq':2}"));
  }

  @Test
  void shouldKeepStatsOfTwoOrgsWithTheSameSessionIdApart() {
    pipeline.pipe(
        at(0, "e1", EventType.SESSION_STARTED, "{}"),
        event("org-b", SESSION, "e1", EventType.SESSION_STARTED, "{}"),
        at(1, "e2", EventType.LOG, "{'message':'x'}"));
    pipeline.advanceWallClock(settings.statsInterval());

    assertThat(summaries()).containsExactly("org-a/ses-1 running 2", "org-b/ses-1 running 1");
  }

  @Test
  void shouldWriteNothingBeforeTheStatsIntervalHasPassed() {
    pipeline.pipe(at(0, "e1", EventType.SESSION_STARTED, "{}"));

    pipeline.advanceWallClock(settings.statsInterval().dividedBy(2));

    assertThat(pipeline.sessionsStats()).isEmpty();
  }

  @Test
  void shouldWriteOnlySessionsThatChangedSinceTheLastInterval() {
    pipeline.pipe(
        at(0, "e1", EventType.SESSION_STARTED, "{}"),
        event("org-b", "ses-2", "e1", EventType.SESSION_STARTED, "{}"));
    pipeline.advanceWallClock(settings.statsInterval());
    pipeline.sessionsStats();

    pipeline.pipe(at(1, "e2", EventType.LOG, "{'message':'x'}"));
    pipeline.advanceWallClock(settings.statsInterval());

    assertThat(summaries()).containsExactly("org-a/ses-1 running 2");
  }

  @Test
  void shouldReportRunningSessionIdleAfterTheQuietTime() {
    pipeline.pipe(at(0, "e1", EventType.SESSION_STARTED, "{}"));
    pipeline.advanceWallClock(settings.statsInterval());
    pipeline.sessionsStats();

    pipeline.advanceWallClock(settings.idleAfter());

    assertThat(summaries()).containsExactly("org-a/ses-1 idle 1");
  }

  @Test
  void shouldReportIdleSessionRunningAgainOnItsNextEvent() {
    pipeline.pipe(at(0, "e1", EventType.SESSION_STARTED, "{}"));
    pipeline.advanceWallClock(settings.statsInterval());
    pipeline.advanceWallClock(settings.idleAfter());
    pipeline.sessionsStats();

    pipeline.pipe(at(1, "e2", EventType.LOG, "{'message':'back'}"));
    pipeline.advanceWallClock(settings.statsInterval());

    assertThat(summaries()).containsExactly("org-a/ses-1 running 2");
  }

  @Test
  void shouldNotReportCompletedSessionIdle() {
    pipeline.pipe(
        at(0, "e1", EventType.SESSION_STARTED, "{}"),
        at(1, "e2", EventType.SESSION_COMPLETED, "{}"));
    pipeline.advanceWallClock(settings.statsInterval());
    pipeline.sessionsStats();

    pipeline.advanceWallClock(settings.idleAfter());

    assertThat(pipeline.sessionsStats()).isEmpty();
  }

  /**
   * After the retention a finished session's tally is gone: a very late event starts new stats that
   * count from it ({@code firstSeq} says so); the seq itself goes on.
   */
  @Test
  void shouldCountLateEventOfForgottenSessionFromScratch() {
    pipeline.pipe(
        at(0, "e1", EventType.SESSION_STARTED, "{}"),
        at(1, "e2", EventType.SESSION_COMPLETED, "{}"));
    pipeline.advanceWallClock(settings.statsInterval());
    pipeline.advanceWallClock(settings.statsRetention());
    pipeline.sessionsStats();

    pipeline.pipe(at(2, "e3", EventType.LOG, "{'message':'late'}"));
    pipeline.advanceWallClock(settings.statsInterval());

    JsonNode stats = pipeline.sessionsStats().get(0).value;
    assertThat(List.of(stats.get("firstSeq"), stats.get("lastSeq"), stats.get("events")))
        .containsExactly(json("3"), json("3"), json("1"));
  }

  /** The session's key, status and events of each record written to {@code sessions.stats}. */
  private List<String> summaries() {
    return pipeline.sessionsStats().stream()
        .map(
            r ->
                r.key
                    + " "
                    + r.value.get("status").asString()
                    + " "
                    + r.value.get("events").asLong())
        .toList();
  }

  private static EventEnvelope at(int second, String id, EventType type, String data) {
    return event(ORG, SESSION, id, type, T0.plusSeconds(second), data);
  }
}
