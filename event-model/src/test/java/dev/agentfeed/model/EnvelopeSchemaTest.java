package dev.agentfeed.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentfeed.model.schema.EnvelopeSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;

/**
 * The published schema is generated; this test fails when the file is stale. Regenerate with {@code
 * ./mvnw -pl event-model test -Dtest=EnvelopeSchemaTest -Dagentfeed.schema.write=true}.
 */
class EnvelopeSchemaTest {

  private static final Path SCHEMA_FILE = Path.of("..", "docs", "event-envelope.schema.json");

  private final EventCodec codec = new EventCodec();

  @Test
  void shouldPublishTheSchemaTheValidatorEnforces() throws IOException {
    JsonNode generated = new EnvelopeSchema(codec.mapper()).generate();
    if (Boolean.getBoolean("agentfeed.schema.write")) {
      Files.createDirectories(SCHEMA_FILE.getParent());
      Files.writeString(
          SCHEMA_FILE,
          codec
                  .mapper()
                  .writer()
                  .with(SerializationFeature.INDENT_OUTPUT)
                  .writeValueAsString(generated)
              + "\n");
    }

    JsonNode published = codec.mapper().readTree(Files.readString(SCHEMA_FILE));

    assertThat(published).isEqualTo(generated);
  }

  @Test
  void shouldRequireInTheSchemaWhatTheValidatorRequires() {
    JsonNode toolCompleted =
        new EnvelopeSchema(codec.mapper()).generate().get("$defs").get("ToolCompleted");

    assertThat(toolCompleted.get("required").toString()).isEqualTo("[\"toolId\",\"toolName\"]");
  }
}
