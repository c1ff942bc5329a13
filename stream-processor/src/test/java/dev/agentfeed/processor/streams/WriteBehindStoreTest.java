package dev.agentfeed.processor.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write-behind store on a driver that commits after every input record, as Kafka Streams does
 * at each commit interval: what reaches the changelog is one record per changed key per commit,
 * holding the value as it was at the commit, and reads in between see the unwritten values.
 */
class WriteBehindStoreTest {

  private static final String APP = "write-behind-test";
  private static final String STORE = "notes-store";
  private static final String CHANGELOG = APP + "-" + STORE + "-changelog";

  @TempDir Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<String, String> input;

  /**
   * For each input {@code (key, word)}: appends the word to the key's note, puts it, appends "!"
   * and puts it again (the second put is of the same object); a word "dump" forwards every note the
   * store lists; a word "flash" puts a note and deletes it again.
   */
  private static final class Notes implements Processor<String, String, String, String> {
    private ProcessorContext<String, String> context;
    private KeyValueStore<String, StringBuilder> notes;

    @Override
    public void init(ProcessorContext<String, String> context) {
      this.context = context;
      this.notes = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, String> record) {
      if (record.value().equals("flash")) {
        notes.put(record.key(), new StringBuilder("flash"));
        notes.delete(record.key());
        context.forward(record.withValue(String.valueOf(notes.get(record.key()))));
        return;
      }
      if (record.value().equals("dump")) {
        try (KeyValueIterator<String, StringBuilder> all = notes.all()) {
          all.forEachRemaining(
              entry ->
                  context.forward(record.withKey(entry.key).withValue(entry.value.toString())));
        }
        return;
      }
      StringBuilder note = notes.get(record.key());
      if (note == null) {
        note = new StringBuilder();
      }
      note.append(record.value());
      notes.put(record.key(), note);
      note.append('!');
      notes.put(record.key(), note);
      context.forward(record.withValue(notes.get(record.key()).toString()));
    }
  }

  @BeforeEach
  void startDriver() {
    Serde<StringBuilder> noteSerde =
        Serdes.serdeFrom(
            (topic, note) -> note == null ? null : note.toString().getBytes(StandardCharsets.UTF_8),
            (topic, bytes) ->
                bytes == null
                    ? null
                    : new StringBuilder(new String(bytes, StandardCharsets.UTF_8)));
    StoreBuilder<KeyValueStore<String, StringBuilder>> store =
        WriteBehindStore.builder(
            Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(STORE), Serdes.String(), noteSerde));
    ProcessorSupplier<String, String, String, String> notes =
        new ProcessorSupplier<>() {
          @Override
          public Processor<String, String, String, String> get() {
            return new Notes();
          }

          @Override
          public Set<StoreBuilder<?>> stores() {
            return Set.of(store);
          }
        };
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream("in", Consumed.with(Serdes.String(), Serdes.String()))
        .process(notes)
        .to("out", Produced.with(Serdes.String(), Serdes.String()));
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver = new TopologyTestDriver(builder.build(), config);
    input = driver.createInputTopic("in", new StringSerializer(), new StringSerializer());
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }

  @Test
  void shouldWriteEachChangedKeyOncePerCommitWithItsValueAtTheCommit() {
    input.pipeInput("a", "x");
    input.pipeInput("b", "y");
    input.pipeInput("a", "z");

    assertThat(changelog())
        .containsExactly(
            KeyValue.pair("a", "x!"), KeyValue.pair("b", "y!"), KeyValue.pair("a", "x!z!"));
  }

  @Test
  void shouldWriteNothingForANewKeyPutAndDeletedBetweenTwoCommits() {
    input.pipeInput("a", "x");
    input.pipeInput("b", "flash");
    input.pipeInput("a", "z");

    assertThat(changelog()).containsExactly(KeyValue.pair("a", "x!"), KeyValue.pair("a", "x!z!"));
  }

  @Test
  void shouldWriteATombstoneWhenAWrittenKeyIsPutAgainAndDeleted() {
    input.pipeInput("a", "x");
    input.pipeInput("a", "flash");

    assertThat(changelog()).containsExactly(KeyValue.pair("a", "x!"), KeyValue.pair("a", null));
  }

  @Test
  void shouldReadTheUnwrittenValueBeforeTheCommit() {
    input.pipeInput("a", "x");
    input.pipeInput("a", "z");

    assertThat(
            driver
                .createOutputTopic("out", new StringDeserializer(), new StringDeserializer())
                .readKeyValuesToList())
        .containsExactly(KeyValue.pair("a", "x!"), KeyValue.pair("a", "x!z!"));
  }

  @Test
  void shouldListTheUnwrittenValuesInARangeRead() {
    input.pipeInput("a", "x");
    input.pipeInput("b", "y");
    input.pipeInput("any", "dump");

    List<KeyValue<String, String>> out =
        driver
            .createOutputTopic("out", new StringDeserializer(), new StringDeserializer())
            .readKeyValuesToList();
    assertThat(out.subList(2, out.size()))
        .containsExactly(KeyValue.pair("a", "x!"), KeyValue.pair("b", "y!"));
  }

  private List<KeyValue<String, String>> changelog() {
    return new ArrayList<>(
        driver
            .createOutputTopic(CHANGELOG, new StringDeserializer(), new StringDeserializer())
            .readKeyValuesToList());
  }
}
