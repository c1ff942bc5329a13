package dev.agentfeed.processor.diffs;

import static dev.agentfeed.processor.testing.TestPipeline.data;
import static dev.agentfeed.processor.testing.TestPipeline.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.EventEnvelope;
import dev.agentfeed.model.EventType;
import dev.agentfeed.processor.testing.TopologyTestBase;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** File events through the application's topology: what {@code events.enriched} carries. */
class FileDiffTopologyTest extends TopologyTestBase {

  private static final String ORG = "org-a";
  private static final String SESSION = "ses-1";

  @Test
  void shouldDiffEditStyleEventAgainstContentOfEarlierWrite() {
    EventEnvelope created =
        file("f1", EventType.FILE_CREATED, "{'path':'a.txt','after':'1\\n2\\n3\\n4\\n5\\n6\\n'}");
    EventEnvelope edited =
        file("f2", EventType.FILE_EDITED, "{'path':'a.txt','oldString':'5','newString':'five'}");

    pipeline.pipe(created, edited);

    String diff = "--- a.txt\n+++ a.txt\n@@ -2,5 +2,5 @@\n 2\n 3\n 4\n-5\n+five\n 6\n";
    assertThat(dataOf(pipeline.enriched()).get(1))
        .isEqualTo(
            data(
                "{'path':'a.txt','oldString':'5','newString':'five','diff':'"
                    + escaped(diff)
                    + "','diffPreview':'"
                    + escaped(diff)
                    + "','linesAdded':1,'linesRemoved':1,'diffContext':'file'}"));
  }

  @Test
  void shouldDiffCreatedFileFromDevNull() {
    pipeline.pipe(file("f1", EventType.FILE_CREATED, "{'path':'a.txt','after':'x\\ny\\n'}"));

    String diff = "--- /dev/null\n+++ a.txt\n@@ -0,0 +1,2 @@\n+x\n+y\n";
    assertThat(dataOf(pipeline.enriched()))
        .containsExactly(
            data(
                "{'path':'a.txt','after':'x\\ny\\n','diff':'"
                    + escaped(diff)
                    + "','diffPreview':'"
                    + escaped(diff)
                    + "','linesAdded':2,'linesRemoved':0,'diffContext':'file'}"));
  }

  @Test
  void shouldReplaceEveryOccurrenceWhenReplaceAll() {
    pipeline.pipe(
        file("f1", EventType.FILE_CREATED, "{'path':'a.txt','after':'x\\ny\\nx\\n'}"),
        file(
            "f2",
            EventType.FILE_EDITED,
            "{'path':'a.txt','oldString':'x','newString':'z','replaceAll':true}"));

    ObjectNode edited = dataOf(pipeline.enriched()).get(1);
    assertThat(edited.get("diff").asString())
        .isEqualTo("--- a.txt\n+++ a.txt\n@@ -1,3 +1,3 @@\n-x\n+z\n y\n-x\n+z\n");
  }

  @Test
  void shouldDiffOldAndNewStringAloneAsFragmentWhenContentIsUnknown() {
    pipeline.pipe(
        file(
            "f1",
            EventType.FILE_EDITED,
            "{'path':'b.txt','oldString':'a\\nb','newString':'a\\nc'}"));

    ObjectNode edited = dataOf(pipeline.enriched()).get(0);
    assertThat(List.of(edited.get("diff").asString(), edited.get("diffContext").asString()))
        .containsExactly("--- b.txt\n+++ b.txt\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n", "fragment");
  }

  @Test
  void shouldDiffBeforeAndAfterOfOneEvent() {
    pipeline.pipe(
        file("f1", EventType.FILE_EDITED, "{'path':'c.txt','before':'a\\n','after':'b\\n'}"));

    ObjectNode edited = dataOf(pipeline.enriched()).get(0);
    assertThat(
            List.of(
                edited.get("diff").asString(),
                edited.get("linesAdded").asInt(),
                edited.get("linesRemoved").asInt()))
        .containsExactly("--- c.txt\n+++ c.txt\n@@ -1,1 +1,1 @@\n-a\n+b\n", 1, 1);
  }

  @Test
  void shouldCountReadyDiffAndKeepItAsSent() {
    String ready = "--- a/d.txt\n+++ b/d.txt\n@@ -1 +1,2 @@\n-old\n+new\n+more\n";

    pipeline.pipe(
        file("f1", EventType.FILE_EDITED, "{'path':'d.txt','diff':'" + escaped(ready) + "'}"));

    assertThat(dataOf(pipeline.enriched()))
        .containsExactly(
            data(
                "{'path':'d.txt','diff':'"
                    + escaped(ready)
                    + "','diffPreview':'"
                    + escaped(ready)
                    + "','linesAdded':2,'linesRemoved':1,'diffContext':'provided'}"));
  }

  @Test
  void shouldSummariseBinaryContentInsteadOfDiffing() {
    pipeline.pipe(file("f1", EventType.FILE_CREATED, "{'path':'logo.png','after':'PNG\\u0000x'}"));

    assertThat(dataOf(pipeline.enriched()))
        .containsExactly(data("{'path':'logo.png','after':'PNG\\u0000x','diffSkipped':'binary'}"));
  }

  @Test
  void shouldForgetContentWhenTheSessionEnds() {
    pipeline.pipe(
        file("f1", EventType.FILE_CREATED, "{'path':'a.txt','after':'1\\n2\\n'}"),
        event(ORG, SESSION, "s1", EventType.SESSION_COMPLETED, "{}"),
        file("f2", EventType.FILE_EDITED, "{'path':'a.txt','oldString':'2','newString':'3'}"));

    assertThat(dataOf(pipeline.enriched()).get(2).get("diffContext").asString())
        .isEqualTo("fragment");
  }

  @Test
  void shouldKeepFilesOfTwoOrgsWithTheSameSessionIdApart() {
    pipeline.pipe(
        file("f1", EventType.FILE_CREATED, "{'path':'a.txt','after':'1\\n2\\n'}"),
        event(
            "org-b",
            SESSION,
            "f2",
            EventType.FILE_EDITED,
            "{'path':'a.txt','oldString':'2','newString':'3'}"));

    assertThat(dataOf(pipeline.enriched()).get(1).get("diffContext").asString())
        .isEqualTo("fragment");
  }

  @Test
  void shouldDiffDeletedFileFromItsLastKnownContentToDevNull() {
    pipeline.pipe(
        file("f1", EventType.FILE_CREATED, "{'path':'a.txt','after':'x\\n'}"),
        file("f2", EventType.FILE_DELETED, "{'path':'a.txt'}"));

    String diff = "--- a.txt\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-x\n";
    assertThat(dataOf(pipeline.enriched()).get(1))
        .isEqualTo(
            data(
                "{'path':'a.txt','diff':'"
                    + escaped(diff)
                    + "','diffPreview':'"
                    + escaped(diff)
                    + "','linesAdded':0,'linesRemoved':1,'diffContext':'file'}"));
  }

  @Test
  void shouldSayWhyAnEditWithOnlyNewContentAndNothingKnownIsNotDiffed() {
    pipeline.pipe(file("f1", EventType.FILE_EDITED, "{'path':'a.txt','after':'x\\n'}"));

    assertThat(dataOf(pipeline.enriched()))
        .containsExactly(
            data("{'path':'a.txt','after':'x\\n','diffSkipped':'no previous content'}"));
  }

  private static EventEnvelope file(String id, EventType type, String data) {
    return event(ORG, SESSION, id, type, data);
  }

  private static List<ObjectNode> dataOf(List<EventEnvelope> events) {
    return events.stream().map(EventEnvelope::data).toList();
  }

  /** A diff as it appears inside the single-quoted JSON of these tests. */
  private static String escaped(String text) {
    return text.replace("\n", "\\n");
  }
}
