package dev.agentfeed.archiver.replay;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The bytes of a session folder. Replays and segments are gzip JSON lines (one event per line,
 * {@code \n}-terminated), written by {@link #gzipOutput}: a header without file name and with mtime
 * 0 and one compression level, so the same lines always give the same bytes on the same zlib.
 * Manifests are compact JSON with a final newline.
 */
public final class ReplayCodec {

  private static final int BUFFER_BYTES = 64 * 1024;

  private final JsonMapper mapper;

  /** Takes the pipeline's mapper ({@code EventCodec.mapper()}): ISO instants, no null fields. */
  public ReplayCodec(JsonMapper mapper) {
    this.mapper = mapper;
  }

  /** Gzips the lines, each followed by {@code \n}. A line must not contain a line break. */
  public byte[] gzipLines(List<byte[]> lines) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = gzipOutput(bytes)) {
      for (byte[] line : lines) {
        gzip.write(line);
        gzip.write('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException("gzip into memory failed", e);
    }
    return bytes.toByteArray();
  }

  /**
   * The gzip stream every archive object is written with: {@link Deflater#BEST_SPEED}, a 64 KiB
   * buffer, no file name, mtime 0. One setting everywhere, so the same lines always give the same
   * bytes. Best speed rather than the default level: about five times faster (it is what bounds the
   * archiver's throughput) for objects about 30% larger.
   */
  public static GZIPOutputStream gzipOutput(OutputStream out) throws IOException {
    return new GZIPOutputStream(out, BUFFER_BYTES) {
      {
        def.setLevel(Deflater.BEST_SPEED);
      }
    };
  }

  /** The lines of a gzip JSON-lines object, without their line breaks. */
  public List<String> readLines(byte[] gzipped) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped), BUFFER_BYTES)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("not a gzip object", e);
    }
  }

  public byte[] writeManifest(ReplayManifest manifest) {
    byte[] json = mapper.writeValueAsBytes(manifest);
    byte[] withNewline = new byte[json.length + 1];
    System.arraycopy(json, 0, withNewline, 0, json.length);
    withNewline[json.length] = '\n';
    return withNewline;
  }

  /**
   * @throws JacksonException when the bytes are not a manifest
   * @throws IllegalArgumentException when the manifest has a format version this code does not know
   */
  public ReplayManifest readManifest(byte[] json) {
    ReplayManifest manifest = mapper.readValue(json, ReplayManifest.class);
    if (manifest.formatVersion() != ReplayManifest.FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "manifest format version " + manifest.formatVersion() + " is not supported");
    }
    return manifest;
  }

  /** Lower-case hex SHA-256, as in manifests and {@code sha256sum}. */
  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
