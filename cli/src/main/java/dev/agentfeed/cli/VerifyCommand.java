package dev.agentfeed.cli;

import dev.agentfeed.archiver.replay.ReplayCatalog;
import dev.agentfeed.archiver.replay.ReplayManifest;
import dev.agentfeed.archiver.replay.ReplayVerifier;
import picocli.CommandLine.Command;

/**
 * {@code replays verify}: every object's size and SHA-256, every seq from 1 to the last exactly
 * once, the manifest's counts and timestamps. Exit code 0 only when all of it holds.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description =
        "Checks every object's SHA-256 and size, seq continuity 1..N without gap or duplicate,"
            + " and the manifest's counts. Exit code 1 when anything does not match.")
final class VerifyCommand extends SessionCommand {

  @Override
  int run(S3Options.Archive archive, ReplayCatalog.Entry entry) {
    ReplayManifest manifest = entry.manifest();
    ReplayVerifier.Result result = archive.verifier().verify(entry);
    result.warnings().forEach(w -> err().printf("warning: %s%n", w));
    if (!result.ok()) {
      result.problems().forEach(p -> err().printf("FAILED: %s%n", p));
      err()
          .printf(
              "Session %s of org %s does NOT verify: %d problem(s) in manifest version %d (%s).%n",
              manifest.sessionId(),
              manifest.orgId(),
              result.problems().size(),
              manifest.manifestVersion(),
              entry.folder().manifestKey());
      return AgentfeedCli.FAILED;
    }
    out()
        .printf(
            "OK: session %s of org %s, manifest version %d: %d %s (%d bytes), every SHA-256"
                + " matches; %d events, seq 1..%d without gap or duplicate.%n",
            manifest.sessionId(),
            manifest.orgId(),
            manifest.manifestVersion(),
            manifest.objects().size(),
            manifest.objects().size() == 1 ? "object" : "objects",
            result.bytes(),
            result.events(),
            manifest.lastSeq());
    return 0;
  }
}
