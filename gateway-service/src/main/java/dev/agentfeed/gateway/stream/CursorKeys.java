package dev.agentfeed.gateway.stream;

import dev.agentfeed.common.security.JwtProperties;
import dev.agentfeed.gateway.GatewayProperties;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cursor key: {@code agentfeed.gateway.cursor-secret}, or else derived from the HS256 JWT
 * secret. It must be the same on every gateway instance, since a client may resume on any of them,
 * so there is no random fallback: without either secret the gateway refuses to start.
 */
final class CursorKeys {

  private static final int MIN_SECRET_BYTES = 32;

  private CursorKeys() {}

  static byte[] resolve(GatewayProperties gateway, JwtProperties jwt) {
    String own = gateway.cursorSecret();
    if (own != null && !own.isBlank()) {
      byte[] bytes = own.getBytes(StandardCharsets.UTF_8);
      if (bytes.length < MIN_SECRET_BYTES) {
        throw new IllegalStateException(
            "agentfeed.gateway.cursor-secret is "
                + bytes.length
                + " bytes; it needs at least "
                + MIN_SECRET_BYTES);
      }
      return bytes;
    }
    if (jwt.secret() != null && !jwt.secret().isBlank()) {
      // A key of its own, so that a cursor never reveals anything about the token secret.
      return hmac(jwt.secret().getBytes(StandardCharsets.UTF_8), "agentfeed-gateway-cursor-v1");
    }
    throw new IllegalStateException(
        "No cursor key: set agentfeed.gateway.cursor-secret (at least "
            + MIN_SECRET_BYTES
            + " bytes, the same on every gateway instance) when tokens are verified with a JWKS");
  }

  private static byte[] hmac(byte[] key, String label) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(label.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
