package dev.agentfeed.gateway.feed;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SessionDirectoryTest {

  @Test
  void shouldKnowASessionSeenOnlyUnderAnotherOrganisation() {
    SessionDirectory directory = new SessionDirectory(10);
    directory.record("org-b", "ses-1");

    assertThat(directory.knownOnlyElsewhere("org-a", "ses-1")).isTrue();
    assertThat(directory.knownOnlyElsewhere("org-b", "ses-1")).isFalse();
    assertThat(directory.knownOnlyElsewhere("org-a", "ses-unknown")).isFalse();
  }

  @Test
  void shouldAllowASessionIdThatBothOrganisationsUse() {
    SessionDirectory directory = new SessionDirectory(10);
    directory.record("org-b", "ses-1");
    directory.record("org-a", "ses-1");

    assertThat(directory.knownOnlyElsewhere("org-a", "ses-1")).isFalse();
  }

  @Test
  void shouldForgetTheLeastRecentlySeenSessionsBeyondItsSize() {
    SessionDirectory directory = new SessionDirectory(2);
    directory.record("org-b", "ses-1");
    directory.record("org-b", "ses-2");
    directory.record("org-b", "ses-3");

    assertThat(directory.size()).isEqualTo(2);
    assertThat(directory.knownOnlyElsewhere("org-a", "ses-1")).isFalse();
    assertThat(directory.knownOnlyElsewhere("org-a", "ses-3")).isTrue();
  }
}
