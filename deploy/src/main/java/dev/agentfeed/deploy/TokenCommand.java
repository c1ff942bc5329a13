package dev.agentfeed.deploy;

import dev.agentfeed.common.security.JwtProperties;
import dev.agentfeed.common.security.Scope;
import dev.agentfeed.common.security.TokenMinter;
import dev.agentfeed.model.Ids;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code token}: prints one bearer token (an HS256 JWT with the claims {@code org}, {@code scope}
 * and optionally {@code sid}) and nothing else on stdout, so that {@code
 * TOKEN=$(deploy/run-local.sh token --org demo --scope ingest)} works.
 */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a bearer token (HS256 JWT) that the local stack's services accept.",
      "Example: INGEST=$(deploy/run-local.sh token --org demo --scope ingest)"
    })
final class TokenCommand implements Callable<Integer> {

  /** The smallest HS256 key the services accept. */
  static final int MIN_SECRET_BYTES = 32;

  private final Clock clock;

  @Spec CommandSpec spec;

  @Option(
      names = "--org",
      defaultValue = LocalStack.DEFAULT_ORG,
      description =
          "The org claim: the organisation the token acts for (default: ${DEFAULT-VALUE}).")
  String org;

  @Option(
      names = "--scope",
      split = ",",
      required = true,
      paramLabel = "SCOPE",
      converter = ScopeConverter.class,
      description = "Comma-separated scopes: ingest, read, audit.")
  List<Scope> scopes;

  @Option(
      names = "--session",
      paramLabel = "SESSION_ID",
      description = "Confines the token to one session (the sid claim); default: any session.")
  String session;

  @Option(
      names = "--ttl",
      defaultValue = "24h",
      converter = DurationConverter.class,
      description = "How long the token is valid, e.g. 30m, 24h, 7d (default: ${DEFAULT-VALUE}).")
  Duration ttl;

  @Option(
      names = "--secret",
      defaultValue = "${env:AGENTFEED_JWT_SECRET:-" + JwtProperties.DEVELOPMENT_SECRET + "}",
      description =
          "The HS256 secret (at least 32 bytes); default: $AGENTFEED_JWT_SECRET, else the"
              + " development secret of the local stack.")
  String secret;

  TokenCommand() {
    this(Clock.systemUTC());
  }

  TokenCommand(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Integer call() {
    validate();
    String token = new TokenMinter(secret, clock).mint(org, scopes, session, ttl);
    spec.commandLine().getOut().println(token);
    spec.commandLine().getOut().flush();
    return 0;
  }

  private void validate() {
    if (!Ids.isValid(org)) {
      throw invalid("--org must match " + Ids.PATTERN_TEXT + ", was '" + org + "'");
    }
    if (session != null && !Ids.isValid(session)) {
      throw invalid("--session must match " + Ids.PATTERN_TEXT + ", was '" + session + "'");
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw invalid("--ttl must be positive, was " + ttl);
    }
    if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
      throw invalid("--secret must be at least " + MIN_SECRET_BYTES + " bytes for HS256");
    }
  }

  private ParameterException invalid(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** Reads a scope as the claim spells it ({@code ingest}). */
  static final class ScopeConverter implements ITypeConverter<Scope> {

    @Override
    public Scope convert(String value) {
      return Arrays.stream(Scope.values())
          .filter(scope -> scope.claimValue().equalsIgnoreCase(value.trim()))
          .findFirst()
          .orElseThrow(
              () ->
                  new TypeConversionException(
                      "'" + value + "' is not a scope; use ingest, read or audit"));
    }
  }
}
