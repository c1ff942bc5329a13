package dev.agentfeed.deploy.process;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Builds the command lines of the stack's child JVMs: the same {@code java} as the launcher, the
 * {@link ParentWatchdog} agent so that no child outlives the launcher, and either a runnable jar (a
 * service) or a main class from the launcher's own classpath (the Kafka broker and its storage
 * tool, whose classes ship inside the launcher).
 *
 * <p>The launcher's own classpath is either a plain list of jars and directories (tests, an IDE) or
 * the launcher's Spring Boot jar, whose nested jars only Boot's {@code PropertiesLauncher} can
 * read: then the child runs that launcher with {@code loader.main} naming the class to start.
 */
public final class ChildJvm {

  private static final String BOOT_PROPERTIES_LAUNCHER =
      "org.springframework.boot.loader.launch.PropertiesLauncher";
  private static final String AGENT_JAR = "parent-watchdog.jar";

  private final Path java;
  private final Path watchdogAgent;
  private final long watchedPid;
  private final String ownClasspath;
  private final boolean ownClasspathIsBootJar;

  private ChildJvm(Path watchdogAgent, long watchedPid) {
    this.java = Path.of(System.getProperty("java.home"), "bin", "java");
    this.watchdogAgent = watchdogAgent;
    this.watchedPid = watchedPid;
    this.ownClasspath = System.getProperty("java.class.path");
    this.ownClasspathIsBootJar = isBootJar(ownClasspath);
  }

  /** Children that end when this JVM ends; the watchdog agent jar is written to {@code runDir}. */
  public static ChildJvm create(Path runDir) {
    return watching(runDir, ProcessHandle.current().pid());
  }

  /** Children that end when the process {@code pid} ends (tests stand in for a launcher). */
  public static ChildJvm watching(Path runDir, long pid) {
    return new ChildJvm(writeWatchdogAgent(runDir), pid);
  }

  /** A child that runs {@code mainClass} from the launcher's own classpath. */
  public ProcessBuilder ownClass(String mainClass, List<String> jvmOptions, List<String> args) {
    List<String> command = baseCommand(jvmOptions);
    ProcessBuilder builder = new ProcessBuilder(command);
    if (ownClasspathIsBootJar) {
      command.add("-Dloader.main=" + mainClass);
      command.add("-cp");
      command.add(Path.of(ownClasspath).toAbsolutePath().toString());
      command.add(BOOT_PROPERTIES_LAUNCHER);
    } else {
      // Through the environment rather than -cp: keeps `ps` readable with 140 jars.
      builder.environment().put("CLASSPATH", absoluteClasspath(ownClasspath));
      command.add(mainClass);
    }
    command.addAll(args);
    return builder;
  }

  /** A child that runs the runnable jar {@code jar} ({@code java -jar}). */
  public ProcessBuilder jar(Path jar, List<String> jvmOptions, List<String> args) {
    List<String> command = baseCommand(jvmOptions);
    command.add("-jar");
    command.add(jar.toAbsolutePath().toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    // A CLASSPATH inherited from the user's shell would be ignored by -jar anyway; drop it so that
    // the service's log does not suggest otherwise.
    builder.environment().remove("CLASSPATH");
    return builder;
  }

  private List<String> baseCommand(List<String> jvmOptions) {
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.addAll(jvmOptions);
    command.add("-javaagent:" + watchdogAgent + "=" + watchedPid);
    return command;
  }

  private static String absoluteClasspath(String classpath) {
    List<String> entries = new ArrayList<>();
    for (String entry : classpath.split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        entries.add(Path.of(entry).toAbsolutePath().toString());
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  private static boolean isBootJar(String classpath) {
    if (classpath.contains(File.pathSeparator) || !classpath.endsWith(".jar")) {
      return false;
    }
    try (JarFile jar = new JarFile(classpath)) {
      Manifest manifest = jar.getManifest();
      return manifest != null
          && manifest.getMainAttributes().getValue("Spring-Boot-Classes") != null;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The agent must be a plain jar on the child's file system, so it is assembled from the
   * watchdog's class file as this launcher has it, whichever way the launcher is packaged.
   */
  private static Path writeWatchdogAgent(Path runDir) {
    Path agent = runDir.resolve(AGENT_JAR);
    Manifest manifest = new Manifest();
    Attributes attributes = manifest.getMainAttributes();
    attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    attributes.put(new Attributes.Name("Premain-Class"), ParentWatchdog.class.getName());
    String entryName = ParentWatchdog.class.getName().replace('.', '/') + ".class";
    try {
      Files.createDirectories(runDir);
      Path partial = Files.createTempFile(runDir, AGENT_JAR, ".partial");
      try (InputStream classFile = ParentWatchdog.class.getResourceAsStream("/" + entryName);
          JarOutputStream out = new JarOutputStream(Files.newOutputStream(partial), manifest)) {
        if (classFile == null) {
          throw new IllegalStateException("cannot read " + entryName + " from the launcher");
        }
        out.putNextEntry(new JarEntry(entryName));
        classFile.transferTo(out);
        out.closeEntry();
      }
      return Files.move(partial, agent, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the watchdog agent to " + agent, e);
    }
  }
}
