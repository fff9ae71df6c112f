package io.robustcl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real {@code ./pipeline} launcher in a scratch project with a fake {@code mvn} (which
 * builds nothing but the native jar names of the profile it is given, and empties target/lib as
 * the pom does) and a fake {@code java} (which records its arguments and environment, and writes
 * a libtorch warning, a libtorch error and a plain line to stderr).
 */
class LauncherScriptTest {

  @TempDir Path tmp;
  Path root;
  Path log;
  Path gpus;
  final Map<String, String> env = new HashMap<>();

  record Result(int code, String out, String err) {}

  @BeforeEach
  void scratchProject() throws IOException {
    root = Files.createDirectories(tmp.resolve("project"));
    log = Files.createDirectories(tmp.resolve("log"));
    gpus = tmp.resolve("nvidia-gpus");
    Files.copy(Path.of("pipeline"), root.resolve("pipeline"));
    Files.writeString(root.resolve("pom.xml"), "<project/>");
    Files.createDirectories(root.resolve("src/main"));
    Files.writeString(root.resolve("src/main/Main.java"), "class Main {}");
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    script(bin.resolve("mvn"), """
        #!/usr/bin/env bash
        echo "$*" >> "$LOG_DIR/mvn.log"
        flavour=cpu
        for a; do case "$a" in -P*) flavour="${a#-P}" ;; esac; done
        mkdir -p target/lib
        [[ -n "${FAKE_MVN_KEEP_LIB:-}" ]] || rm -f target/lib/*.jar
        touch "target/lib/pytorch-native-$flavour-2.0.1-linux-x86_64.jar" target/lib/api-0.25.0.jar target/robustcl.jar
        """);
    script(bin.resolve("java"), """
        #!/usr/bin/env bash
        if [[ "$*" == *io.robustcl.cli.daemon.DaemonClient* ]]; then
          printf 'client %s\\n' "$*" >> "$LOG_DIR/java.log"
          [[ "${FAKE_CLIENT_EXIT:-111}" == 111 ]] || echo "from the daemon"
          exit "${FAKE_CLIENT_EXIT:-111}"
        fi
        { printf '%s\\n' "$*"; echo "NVIDIA_TF32_OVERRIDE=${NVIDIA_TF32_OVERRIDE:-}"; } >> "$LOG_DIR/java.log"
        for a; do case "$a" in -XX:ArchiveClassesAtExit=*) echo archive > "${a#*=}" ;; esac; done
        echo "[W LegacyTypeDispatch.h:79] Warning: AutoNonVariableTypeMode is deprecated (function operator())" >&2
        echo "[E SomeOp.cpp:12] a real libtorch error" >&2
        echo "plain message" >&2
        [[ -n "${FAKE_COMPUTE:-}" && "$*" == *-Drobustcl.exitIfComputing=75* ]] && exit 75
        exit 3
        """);
    env.put("PATH", bin + ":" + System.getenv("PATH"));
    env.put("LOG_DIR", log.toString());
    env.put("ROBUSTCL_NVIDIA_GPUS_DIR", gpus.toString());
  }

  private static void script(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  Result launch(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", root.resolve("pipeline").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
    pb.environment().remove("ROBUSTCL_BUILD");
    pb.environment().remove("NVIDIA_TF32_OVERRIDE");
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    // read to the end: stderr passes through the launcher's filter process, which may outlive java
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    String out = read(p.getInputStream());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher hangs");
    return new Result(p.exitValue(), out, err.get(60, TimeUnit.SECONDS));
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  List<String> mvnCalls() throws IOException {
    Path f = log.resolve("mvn.log");
    return Files.exists(f) ? Files.readAllLines(f) : List.of();
  }

  String javaLog() throws IOException {
    Path f = log.resolve("java.log");
    return Files.exists(f) ? Files.readString(f) : "";
  }

  String remembered() throws IOException {
    return Files.readString(root.resolve("target/build-flavour")).strip();
  }

  void touchSources() throws IOException {
    Files.setLastModifiedTime(root.resolve("src/main/Main.java"), FileTime.from(Instant.now().plusSeconds(30)));
  }

  @Test
  void aCpuHostBuildsCpuOnceAndPassesTheJavaExitCode() throws Exception {
    Result r = launch("stages");
    assertEquals(3, r.code(), r.err());
    assertEquals(List.of("-B -q -DskipTests -Pcpu package"), mvnCalls());
    assertEquals("cpu", remembered());
    assertTrue(javaLog().contains("pytorch-native-cpu-2.0.1"), javaLog());
    launch("stages");
    assertEquals(1, mvnCalls().size(), "an up-to-date build is not rebuilt");
  }

  @Test
  void aGpuHostGetsCu118AndTheFlavourSticksAcrossRebuilds() throws Exception {
    Files.createDirectories(gpus.resolve("0000:01:00.0"));
    Result r = launch("stages");
    assertEquals(List.of("-B -q -DskipTests -Pcu118 package"), mvnCalls());
    assertTrue(r.err().contains("NVIDIA GPUs found"), r.err());
    assertEquals("cu118", remembered());
    // a git pull changes the sources; /proc is not even consulted again
    Files.delete(gpus.resolve("0000:01:00.0"));
    touchSources();
    launch("stages");
    assertEquals("-B -q -DskipTests -Pcu118 package", mvnCalls().get(1));
    assertTrue(javaLog().contains("pytorch-native-cu118-2.0.1"), javaLog());
  }

  @Test
  void anExplicitBuildWinsIsRememberedAndIsNotPassedToTheCli() throws Exception {
    launch("stages");
    launch("--build", "cu118", "stages");
    assertEquals("-B -q -DskipTests -Pcu118 package", mvnCalls().get(1), "a flavour change rebuilds");
    assertEquals("cu118", remembered());
    assertFalse(javaLog().contains("--build"), javaLog());
    launch("stages");
    assertEquals(2, mvnCalls().size(), "the remembered flavour is up to date");
    env.put("ROBUSTCL_BUILD", "cpu");
    launch("stages");
    assertEquals("-B -q -DskipTests -Pcpu package", mvnCalls().get(2));
    assertEquals("cpu", remembered());
  }

  @Test
  void aJarBuiltByHandIsKeptWhenNothingIsRemembered() throws Exception {
    Files.createDirectories(root.resolve("target/lib"));
    Files.writeString(root.resolve("target/lib/pytorch-native-cu118-2.0.1-linux-x86_64.jar"), "");
    Files.writeString(root.resolve("target/robustcl.jar"), "");
    launch("stages");
    assertEquals(List.of(), mvnCalls());
    assertEquals("cu118", remembered());
  }

  @Test
  void anUnknownFlavourIsAUsageError() throws Exception {
    Result r = launch("--build", "rocm", "stages");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown build 'rocm'") && r.err().contains("cpu or cu118"), r.err());
    assertEquals(List.of(), mvnCalls());
    assertEquals("", javaLog());
  }

  @Test
  void bothNativeJarsOnTheClassPathRefuseToStart() throws Exception {
    env.put("FAKE_MVN_KEEP_LIB", "1"); // a build that does not empty target/lib (an older pom)
    launch("stages");
    Result r = launch("--build", "cu118", "stages");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("more than one native PyTorch build (cpu cu118)"), r.err());
    assertTrue(r.err().contains("remove target/lib"), r.err());
    assertEquals(1, javaLog().lines().filter(l -> l.contains("io.robustcl.cli.Main")).count(), "java ran once only");
  }

  @Test
  void libtorchWarningsAreDroppedUnlessVerboseAndErrorsAlwaysShow() throws Exception {
    Result quiet = launch("stages");
    assertFalse(quiet.err().contains("LegacyTypeDispatch"), quiet.err());
    assertTrue(quiet.err().contains("[E SomeOp.cpp:12] a real libtorch error"), quiet.err());
    assertTrue(quiet.err().contains("plain message"), quiet.err());
    Result verbose = launch("--verbose", "stages");
    assertTrue(verbose.err().contains("[W LegacyTypeDispatch.h:79] Warning: AutoNonVariableTypeMode"), verbose.err());
    assertTrue(verbose.err().contains("a real libtorch error"), verbose.err());
    String lastCall = javaLog().lines().filter(l -> l.contains("io.robustcl.cli.Main")).reduce((a, b) -> b).orElseThrow();
    assertTrue(lastCall.contains("-Dorg.slf4j.simpleLogger.defaultLogLevel=info"), lastCall);
    assertFalse(lastCall.contains("--verbose"), lastCall);
  }

  @Test
  void jvmFlagsFollowWhatTheRunWillDoAndNoTf32ReachesCuda() throws Exception {
    launch("plan", "p.yaml");
    launch("run", "p.yaml", "--target", "t", "--dry-run");
    Result cached = launch("run", "p.yaml", "--target", "t");
    env.put("FAKE_COMPUTE", "1"); // the CLI's plan finds a stage to compute
    launch("run", "p.yaml", "--target", "t", "--no-tf32");
    List<String> calls = javaLog().lines().toList();
    String plan = calls.get(0);
    String dryRun = calls.get(2);
    String probe = calls.get(4);
    assertTrue(plan.contains("-XX:TieredStopAtLevel=1") && plan.contains("-XX:+UseSerialGC"), plan);
    assertTrue(dryRun.contains("-XX:TieredStopAtLevel=1") && !dryRun.contains("exitIfComputing"), dryRun);
    assertTrue(probe.contains("-XX:TieredStopAtLevel=1") && probe.contains("-Drobustcl.exitIfComputing=75"), probe);
    assertEquals(3, cached.code(), "a run with nothing to compute ends in the first JVM");
    String computeProbe = calls.get(6);
    String compute = calls.get(8);
    assertEquals(10, calls.size(), "plan, dry run, cached run, probe + compute run: " + calls);
    assertTrue(computeProbe.contains("exitIfComputing"), computeProbe);
    assertTrue(compute.contains("-XX:+UseParallelGC") && !compute.contains("TieredStopAtLevel")
        && !compute.contains("exitIfComputing"), compute);
    assertTrue(compute.contains("--no-tf32"), "the CLI records the choice: " + compute);
    assertEquals("NVIDIA_TF32_OVERRIDE=", calls.get(5));
    assertEquals("NVIDIA_TF32_OVERRIDE=0", calls.get(9));
  }

  @Test
  void aClassDataSharingArchiveIsUsedOnlyWithTheClassPathItWasMadeFor() throws Exception {
    launch("run", "p.yaml", "--target", "t"); // builds, then records the archive
    launch("run", "p.yaml", "--target", "t");
    List<String> calls = javaLog().lines().filter(l -> l.contains("io.robustcl.cli.Main")).toList();
    String made = calls.get(0).replaceAll(".*-XX:ArchiveClassesAtExit=(\\S+)\\.\\d+ .*", "$1");
    assertTrue(made.startsWith(root.resolve("target/robustcl-tool-").toString()) && made.endsWith(".jsa"), calls.get(0));
    assertTrue(Files.exists(Path.of(made)), "the archive is kept under its name");
    assertTrue(calls.get(1).contains("-XX:SharedArchiveFile=" + made), calls.get(1));

    // the same checkout moved: its old archive names the old class path, which the JVM would ignore silently
    Path moved = tmp.resolve("moved");
    Files.move(root, moved);
    root = moved;
    Files.writeString(log.resolve("java.log"), "");
    launch("run", "p.yaml", "--target", "t");
    launch("run", "p.yaml", "--target", "t");
    calls = javaLog().lines().filter(l -> l.contains("io.robustcl.cli.Main")).toList();
    assertFalse(calls.get(0).contains("SharedArchiveFile"), "not the stale archive: " + calls.get(0));
    assertTrue(calls.get(0).contains("-XX:ArchiveClassesAtExit=" + moved.resolve("target/robustcl-tool-")), calls.get(0));
    assertTrue(calls.get(1).contains("-XX:SharedArchiveFile=" + moved.resolve("target/robustcl-tool-")), calls.get(1));
    try (var archives = Files.list(moved.resolve("target"))) {
      assertEquals(1, archives.filter(p -> p.getFileName().toString().endsWith(".jsa")).count(), "the stale one is removed");
    }
    assertEquals(1, mvnCalls().size(), "moving the checkout rebuilds nothing");
  }

  @Test
  void toolCommandsGoToAnUpDaemonAndFallBackToTheirOwnJvmWhenItDoesNotRunThem() throws Exception {
    Result none = launch("daemon", "status");
    assertEquals(1, none.code(), none.err());
    String socket = none.out().replaceAll("(?s).*its socket would be (\\S+)\\).*", "$1");
    assertTrue(socket.startsWith(root.resolve("target/daemon/").toString()) && socket.endsWith(".sock"), none.out());
    assertEquals("", javaLog().lines().filter(l -> l.contains("io.robustcl.cli.Main")).findAny().orElse(""),
        "no daemon socket: the client is asked only by `daemon status`");

    Files.createDirectories(Path.of(socket).getParent());
    try (java.nio.channels.ServerSocketChannel up = java.nio.channels.ServerSocketChannel.open(
        java.net.StandardProtocolFamily.UNIX)) {
      up.bind(java.net.UnixDomainSocketAddress.of(Path.of(socket)));
      env.put("FAKE_CLIENT_EXIT", "0");
      Result served = launch("plan", "p.yaml");
      assertEquals(0, served.code(), served.err());
      assertEquals("from the daemon\n", served.out());
      List<String> calls = javaLog().lines().filter(l -> !l.startsWith("NVIDIA")).toList();
      String client = calls.get(calls.size() - 1);
      assertTrue(client.startsWith("client ") && client.contains("DaemonClient " + socket + " ") && client.endsWith(" - plan p.yaml"),
          client);

      env.put("FAKE_CLIENT_EXIT", "111"); // refused, stale or gone: the command runs as without a daemon
      Result fallback = launch("plan", "p.yaml");
      assertEquals(3, fallback.code(), "the tool JVM's exit code");
      calls = javaLog().lines().filter(l -> !l.startsWith("NVIDIA")).toList();
      assertTrue(calls.get(calls.size() - 2).startsWith("client "), calls.toString());
      assertTrue(calls.get(calls.size() - 1).contains("-XX:TieredStopAtLevel=1") && calls.get(calls.size() - 1)
          .endsWith("io.robustcl.cli.Main plan p.yaml"), calls.toString());

      env.put("FAKE_CLIENT_EXIT", "75"); // the daemon's probe found a stage to compute
      Result compute = launch("run", "p.yaml", "--target", "t");
      assertEquals(3, compute.code());
      calls = javaLog().lines().filter(l -> !l.startsWith("NVIDIA")).toList();
      assertTrue(calls.get(calls.size() - 2).endsWith(" 75 run p.yaml --target t"), calls.toString());
      String jvm = calls.get(calls.size() - 1);
      assertTrue(jvm.contains("-XX:+UseParallelGC") && !jvm.contains("exitIfComputing"), jvm);

      int before = javaLog().lines().filter(l -> l.startsWith("client ")).toList().size();
      launch("--no-daemon", "plan", "p.yaml");
      launch("--verbose", "plan", "p.yaml");
      env.put("ROBUSTCL_DAEMON", "0");
      launch("plan", "p.yaml");
      assertEquals(before, javaLog().lines().filter(l -> l.startsWith("client ")).toList().size(),
          "--no-daemon, --verbose (the daemon's log level is its own) and ROBUSTCL_DAEMON=0 bypass it");
      assertFalse(javaLog().contains("--no-daemon"), "a launcher option, not the CLI's");
    }
    Result bad = launch("daemon", "restart");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("usage: pipeline daemon start [--idle 3h] | stop | status"), bad.err());
  }
}
