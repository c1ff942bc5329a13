package dev.agentfeed.archiver.api;

import dev.agentfeed.archiver.ArchiverProperties;
import dev.agentfeed.archiver.replay.ReplayCatalog;
import dev.agentfeed.archiver.replay.ReplayManifest;
import dev.agentfeed.archiver.replay.ReplayObject;
import dev.agentfeed.archiver.replay.ReplayVerifier;
import dev.agentfeed.common.security.Caller;
import dev.agentfeed.model.Ids;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The auditor API: lists the caller's org's archived sessions, hands out one session's manifest
 * with presigned GET URLs for every object (so an auditor downloads straight from S3 and checks the
 * SHA-256s without trusting this service), and streams a session's verified events for playback.
 * The org is the token's; no parameter can widen it.
 */
@RestController
class ReplayController {

  /** Each listed session costs one GET of its manifest, so a listing is bounded. */
  static final int DEFAULT_LIMIT = 500;

  static final int MAX_LIMIT = 5000;

  private static final String NDJSON = "application/x-ndjson";

  private final ReplayCatalog catalog;
  private final ReplayVerifier verifier;
  private final S3Presigner presigner;
  private final String bucket;
  private final Duration presignTtl;
  private final Clock clock;

  ReplayController(
      ReplayCatalog catalog,
      ReplayVerifier verifier,
      S3Presigner presigner,
      ArchiverProperties properties,
      Clock clock) {
    this.catalog = catalog;
    this.verifier = verifier;
    this.presigner = presigner;
    this.bucket = properties.s3().bucket();
    this.presignTtl = properties.presignTtl();
    this.clock = clock;
  }

  /** One session in a listing: where it is and what its latest manifest says. */
  record ReplaySummary(
      String sessionId,
      LocalDate date,
      String manifestKey,
      int manifestVersion,
      String status,
      long eventCount,
      long firstSeq,
      long lastSeq,
      Instant firstTs,
      Instant lastTs,
      int objects) {

    static ReplaySummary of(ReplayCatalog.Entry entry) {
      ReplayManifest m = entry.manifest();
      return new ReplaySummary(
          m.sessionId(),
          entry.folder().date(),
          entry.folder().manifestKey(),
          m.manifestVersion(),
          m.status() == null ? null : m.status().wireName(),
          m.eventCount(),
          m.firstSeq(),
          m.lastSeq(),
          m.firstTs(),
          m.lastTs(),
          m.objects().size());
    }
  }

  /**
   * @param truncated more sessions match than {@code limit}; narrow {@code from}/{@code to} or
   *     continue from the day of the last one listed
   */
  record ReplayList(
      String orgId,
      LocalDate from,
      LocalDate to,
      int limit,
      boolean truncated,
      List<ReplaySummary> replays) {}

  /** An object of the session with a URL to fetch it. */
  record SignedObject(
      String key, URI url, long bytes, String sha256, long events, long firstSeq, long lastSeq) {}

  record ReplayDetail(
      String orgId,
      String sessionId,
      String bucket,
      String manifestKey,
      URI manifestUrl,
      Instant urlsExpireAt,
      ReplayManifest manifest,
      List<SignedObject> objects) {}

  @GetMapping("/v1/replays")
  ReplayList list(
      @AuthenticationPrincipal Jwt jwt,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate from,
      @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) LocalDate to,
      @RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit) {
    if (from != null && to != null && to.isBefore(from)) {
      throw badRequest("'to' (" + to + ") is before 'from' (" + from + ")");
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw badRequest("'limit' is " + limit + "; use 1 to " + MAX_LIMIT);
    }
    String org = Caller.of(jwt).orgId();
    List<ReplaySummary> replays =
        catalog.list(org, from, to, limit + 1).stream().map(ReplaySummary::of).toList();
    boolean truncated = replays.size() > limit;
    return new ReplayList(
        org, from, to, limit, truncated, truncated ? replays.subList(0, limit) : replays);
  }

  @GetMapping("/v1/replays/{sessionId}")
  ReplayDetail get(@AuthenticationPrincipal Jwt jwt, @PathVariable String sessionId) {
    String org = Caller.of(jwt).orgId();
    ReplayCatalog.Entry entry = find(jwt, sessionId);
    Instant expiresAt = clock.instant().plus(presignTtl);
    List<SignedObject> objects = entry.manifest().objects().stream().map(this::signed).toList();
    return new ReplayDetail(
        org,
        sessionId,
        bucket,
        entry.folder().manifestKey(),
        sign(entry.folder().manifestKey()),
        expiresAt,
        entry.manifest(),
        objects);
  }

  /**
   * The session's events as NDJSON (one JSON event per line, as archived) in seq order: the objects
   * of its latest manifest, every one checked against its SHA-256 before the first byte is sent.
   * For the dashboard page that plays archived sessions.
   */
  @GetMapping(value = "/v1/replays/{sessionId}/events", produces = NDJSON)
  ResponseEntity<StreamingResponseBody> events(
      @AuthenticationPrincipal Jwt jwt, @PathVariable String sessionId) {
    ReplayCatalog.Entry entry = find(jwt, sessionId);
    List<byte[]> objects = verifier.verifiedObjects(entry);
    StreamingResponseBody body =
        out -> {
          for (byte[] object : objects) {
            try (InputStream lines = new GZIPInputStream(new ByteArrayInputStream(object))) {
              lines.transferTo(out);
            }
          }
        };
    return ResponseEntity.ok()
        .contentType(MediaType.parseMediaType(NDJSON))
        .header("X-Replay-Manifest-Version", String.valueOf(entry.manifest().manifestVersion()))
        .header("X-Replay-Event-Count", String.valueOf(entry.manifest().eventCount()))
        .body(body);
  }

  private SignedObject signed(ReplayObject object) {
    return new SignedObject(
        object.key(),
        sign(object.key()),
        object.bytes(),
        object.sha256(),
        object.events(),
        object.firstSeq(),
        object.lastSeq());
  }

  private URI sign(String key) {
    try {
      return presigner
          .presignGetObject(
              p -> p.signatureDuration(presignTtl).getObjectRequest(g -> g.bucket(bucket).key(key)))
          .url()
          .toURI();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("the SDK signed a URL that is not a URI: " + key, e);
    }
  }

  /** The caller's org's session, or a 400 for a bad id, or a 404. */
  private ReplayCatalog.Entry find(Jwt jwt, String sessionId) {
    if (!Ids.isValid(sessionId)) {
      throw badRequest("session id '" + sessionId + "' does not match " + Ids.PATTERN_TEXT);
    }
    String org = Caller.of(jwt).orgId();
    return catalog
        .find(org, sessionId)
        .orElseThrow(
            () -> {
              ProblemDetail problem =
                  ProblemDetail.forStatusAndDetail(
                      HttpStatus.NOT_FOUND,
                      "no archived session '" + sessionId + "' in org '" + org + "'");
              return new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
            });
  }

  private static ErrorResponseException badRequest(String detail) {
    return new ErrorResponseException(
        HttpStatus.BAD_REQUEST,
        ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail),
        null);
  }
}
