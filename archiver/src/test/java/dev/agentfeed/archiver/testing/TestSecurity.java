package dev.agentfeed.archiver.testing;

/** The JWT settings the archiver's tests start it with (the API needs a verifier to start). */
public final class TestSecurity {

  /** An HS256 secret of the required length; not the development secret, which is refused. */
  public static final String SECRET = "archiver-test-secret-0123456789abcdef-0123";

  private TestSecurity() {}

  /** The setting as a {@code --name=value} argument. */
  public static String secretArgument() {
    return "--agentfeed.security.jwt.secret=" + SECRET;
  }
}
