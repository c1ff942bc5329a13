package dev.agentfeed.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The dashboard link the stack prints once it is up. */
class BannerTest {

  @Test
  void shouldLinkTheDashboardOnTheGatewayWithTheToken() {
    StackSettings settings = ServiceArgumentsTest.parse();

    assertThat(Banner.dashboardLink(settings, "tok.en.value"))
        .isEqualTo("http://localhost:8080/?access_token=tok.en.value");
  }

  @Test
  void shouldNameTheArchiverWhenItIsNotOnTheDefaultPort() {
    StackSettings settings =
        ServiceArgumentsTest.parse("--gateway-port", "18080", "--archiver-port", "18083");

    assertThat(Banner.dashboardLink(settings, "t"))
        .isEqualTo("http://localhost:18080/?access_token=t&archiver=http://localhost:18083");
  }
}
