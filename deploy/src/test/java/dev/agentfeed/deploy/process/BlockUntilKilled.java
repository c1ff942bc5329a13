package dev.agentfeed.deploy.process;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A child JVM's main that never returns on its own. It creates the file named by its argument once
 * running, i.e. after every agent's premain has run.
 */
public final class BlockUntilKilled {

  private BlockUntilKilled() {}

  public static void main(String[] args) throws Exception {
    Files.createFile(Path.of(args[0]));
    new CountDownLatch(1).await();
  }
}
