package dev.agentfeed.cli.forward;

/**
 * Where the forwarder says what it skipped or could not send. A command line prints it (the CLI has
 * no logging backend: SLF4J is silent in it), a test collects it.
 */
@FunctionalInterface
interface Warnings {

  void warn(String message);
}
