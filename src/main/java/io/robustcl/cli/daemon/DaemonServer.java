package io.robustcl.cli.daemon;

import com.google.common.collect.ImmutableList;
import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Provides;
import io.robustcl.cli.Invocation;
import io.robustcl.cli.Main;
import io.robustcl.pipeline.WorkingDirectory;
import io.robustcl.pipeline.exec.CancelSignal;
import io.robustcl.pipeline.exec.GpuCount;
import io.robustcl.pipeline.exec.PipelineRunner;
import io.robustcl.pipeline.exec.RuntimeVersions;
import io.robustcl.pipeline.exec.StageGraphs;
import io.robustcl.pipeline.exec.StageResolver;
import io.robustcl.pipeline.exec.StageLauncher;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The tool daemon: listens on a Unix domain socket and runs each command it serves
 * ({@link ToolRoute}) with a fresh Guice injector of {@link Main#modules()}, the client's working
 * directory, environment and terminal flag, and writers that stream its stdout and stderr back.
 * Nothing of the engine survives between requests; what does is the warm JVM: loaded classes and
 * C2-compiled code.
 *
 * <p>Requests run one at a time, in the order they connect (a single worker thread): the engine's
 * cache locks would make concurrent runs of one cache wait on each other anyway, and one worker
 * keeps the memory of the daemon bounded. A request that has not sent itself within
 * {@link #READ_TIMEOUT} is dropped, so a stuck client cannot hold the queue.
 *
 * <p>Security: the socket lives in a directory only its owner can enter (0700, checked at start);
 * Java 17 exposes no peer credentials (SO_PEERCRED) for Unix domain sockets, so that directory is
 * the guard against other users.
 *
 * <p>{@code DaemonServer --socket PATH --id ID [--idle DURATION]} (started by {@code ./pipeline
 * daemon start}): exits after {@code --idle} (default 3h) without a request, on {@code stop}, or as
 * soon as a request or the periodic check finds its class path or JVM changed (stale).
 */
public final class DaemonServer implements AutoCloseable {

  static final Duration DEFAULT_IDLE = Duration.ofHours(3);
  static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

  private final Path socket;
  private final String id;
  private final Duration idle;
  private final ClassPathStamp stamp;
  private final Map<String, String> env;
  private final PrintStream log;
  private final CommandRunner runner;
  private final long started = System.nanoTime();
  private final AtomicLong lastActivity = new AtomicLong(System.nanoTime());
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicInteger served = new AtomicInteger();
  private final ExecutorService worker = Executors.newSingleThreadExecutor(daemonThreads("daemon-request"));
  private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(daemonThreads("daemon-timer"));
  private @Nullable ServerSocketChannel server;
  private @Nullable FileChannel lockChannel;
  private volatile boolean closing;
  private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

  /**
   * @param env this daemon's environment (the client's must agree with it on {@link ToolRoute#MATCHED})
   * @param log one line per event (start, refusal, bad request, stop)
   */
  DaemonServer(Path socket, String id, Duration idle, ClassPathStamp stamp, Map<String, String> env, PrintStream log) {
    this(socket, id, idle, stamp, env, log, DaemonServer::execute);
  }

  /** @param runner runs one served command line (tests replace the CLI) */
  DaemonServer(Path socket, String id, Duration idle, ClassPathStamp stamp, Map<String, String> env, PrintStream log,
      CommandRunner runner) {
    this.runner = runner;
    this.socket = socket.toAbsolutePath();
    this.id = id;
    this.idle = idle;
    this.stamp = stamp;
    this.env = Map.copyOf(env);
    this.log = log;
  }

  public static void main(String[] args) {
    Path socket = null;
    String id = null;
    Duration idle = DEFAULT_IDLE;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--socket" -> socket = Path.of(args[++i]);
          case "--id" -> id = args[++i];
          case "--idle" -> idle = duration(args[++i]);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (socket == null || id == null) {
        throw new IllegalArgumentException("--socket and --id are required");
      }
    } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      System.err.println("daemon: " + e.getMessage() + "; usage: DaemonServer --socket PATH --id ID [--idle 3h]");
      System.exit(2);
      return;
    }
    DaemonServer daemon = new DaemonServer(socket, id, idle, ClassPathStamp.ofThisJvm(), System.getenv(), System.err);
    try {
      daemon.start();
    } catch (IOException | IllegalStateException e) {
      System.err.println("daemon: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    daemon.awaitClosed();
    System.exit(0);
  }

  /** {@code 90s}, {@code 30m}, {@code 3h}, {@code 1d} or plain seconds. */
  static Duration duration(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})([smhd]?)").matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("--idle " + text + ": expected e.g. 90s, 30m, 3h or 1d");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      case "d" -> Duration.ofDays(n);
      default -> Duration.ofSeconds(n);
    };
    if (d.isZero()) {
      throw new IllegalArgumentException("--idle " + text + ": must be positive");
    }
    return d;
  }

  /**
   * Checks the socket's directory, takes the daemon's lock (one daemon per socket), binds and
   * starts serving on a thread of its own.
   *
   * @throws IllegalStateException if another daemon holds the socket, or the directory is unsafe
   */
  void start() throws IOException {
    Path dir = socket.getParent();
    guardDirectory(dir);
    lockChannel = FileChannel.open(dir.resolve(socket.getFileName() + ".lock"), StandardOpenOption.CREATE,
        StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      lock = null; // held by a daemon of this same JVM (tests)
    }
    if (lock == null) {
      lockChannel.close();
      throw new IllegalStateException("a daemon is already running on " + socket);
    }
    Files.deleteIfExists(socket); // left by a daemon that was killed: its lock is free again
    ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    channel.bind(UnixDomainSocketAddress.of(socket));
    server = channel;
    long checkMillis = Math.max(50, Math.min(idle.toMillis() / 4, 30_000));
    timers.scheduleWithFixedDelay(this::check, checkMillis, checkMillis, TimeUnit.MILLISECONDS);
    Thread acceptor = new Thread(this::acceptLoop, "daemon-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    log.println("daemon: serving " + socket + " (pid " + ProcessHandle.current().pid() + ", id " + id
        + ", idle timeout " + idle + ")");
  }

  /** The socket's directory: created 0700, else it must be ours and closed to everybody else. */
  private static void guardDirectory(Path dir) throws IOException {
    Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rwx------");
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir.getParent());
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(ownerOnly));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // made by a daemon starting at the same time: checked below
      }
    }
    String me = System.getProperty("user.name");
    if (!Files.getOwner(dir).getName().equals(me)) {
      throw new IllegalStateException(dir + " belongs to " + Files.getOwner(dir).getName() + ", not " + me);
    }
    Files.setPosixFilePermissions(dir, ownerOnly); // umask may have widened it; only its owner gets here
  }

  /** Blocks until the daemon has stopped. */
  void awaitClosed() {
    try {
      closed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean isClosed() {
    return closed.getCount() == 0;
  }

  private void acceptLoop() {
    while (!closing) {
      SocketChannel client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (!closing) {
          log.println("daemon: accept failed (" + e.getMessage() + "); stopping");
          close();
        }
        return;
      }
      lastActivity.set(System.nanoTime());
      pending.incrementAndGet();
      try {
        worker.execute(() -> {
          try {
            serve(client);
            // the answer is out: collect the request's garbage now, while the client exits, so
            // that the next request starts with an empty young generation and its own work needs
            // no collection (a 10,000-stage run allocates ~400 MB and keeps ~60 MB live, whose
            // copying in young collections cost 0.2-0.7 s per run here); little is live now, so
            // this full collection is short
            System.gc();
          } finally {
            lastActivity.set(System.nanoTime());
            pending.decrementAndGet();
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        pending.decrementAndGet();
        closeQuietly(client);
      }
    }
  }

  /** Idle timeout and staleness, checked now and then. */
  private void check() {
    if (closing) {
      return;
    }
    if (stamp.changed()) {
      log.println("daemon: the build changed under me (class path or JVM); stopping");
      close();
    } else if (pending.get() == 0 && System.nanoTime() - lastActivity.get() > idle.toNanos()) {
      log.println("daemon: idle for " + idle + "; stopping");
      close();
    }
  }

  /** One connection: read the request (with a deadline), then answer it. Never throws. */
  private void serve(SocketChannel client) {
    try (client) {
      ScheduledFuture<?> deadline = timers.schedule(() -> closeQuietly(client), READ_TIMEOUT.toMillis(),
          TimeUnit.MILLISECONDS);
      DaemonRequest request;
      FrameSink sink = new FrameSink(DaemonProtocol.out(client));
      try {
        request = DaemonRequest.read(DaemonProtocol.in(client));
      } catch (DaemonRequest.BadRequest e) {
        log.println("daemon: bad request: " + e.getMessage());
        sink.refuse("bad request: " + e.getMessage());
        return;
      } finally {
        deadline.cancel(false);
      }
      answer(request, client, sink);
    } catch (IOException e) {
      log.println("daemon: connection failed: " + oneLine(e));
    } catch (RuntimeException | Error e) {
      log.println("daemon: internal error: " + oneLine(e));
    }
  }

  private void answer(DaemonRequest request, SocketChannel client, FrameSink sink) throws IOException {
    boolean stale = stamp.changed();
    if (stale || !request.id().equals(id)) {
      log.println("daemon: refused a request for build " + request.id() + " (mine: " + id + (stale ? ", changed" : "")
          + "); stopping, a stale daemon never serves");
      sink.refuse("stale daemon");
      close();
      return;
    }
    switch (request.kind()) {
      case DaemonRequest.STATUS -> {
        sink.stdout(("daemon: running, pid " + ProcessHandle.current().pid() + ", up "
            + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s, " + served.get() + " commands served,"
            + " idle timeout " + idle.toSeconds() + " s, socket " + socket + "\n").getBytes(StandardCharsets.UTF_8));
        sink.exit(0);
      }
      case DaemonRequest.STOP -> {
        sink.stdout(("daemon: stopped (pid " + ProcessHandle.current().pid() + ")\n").getBytes(StandardCharsets.UTF_8));
        sink.exit(0);
        log.println("daemon: stop requested; stopping");
        close();
      }
      default -> command(request, client, sink);
    }
  }

  private void command(DaemonRequest request, SocketChannel client, FrameSink sink) throws IOException {
    Optional<String> refusal = ToolRoute.refusal(request.args(), request.probe() >= 0)
        .or(() -> ToolRoute.environmentMismatch(request.env(), env));
    Path workDir = Path.of(request.workDir());
    if (refusal.isEmpty() && (!workDir.isAbsolute() || !Files.isDirectory(workDir))) {
      refusal = Optional.of("working directory " + request.workDir() + " is not an absolute directory");
    }
    if (refusal.isPresent()) {
      sink.refuse(refusal.get());
      return;
    }
    CancelSignal cancel = new CancelSignal();
    Invocation invocation = Invocation.of(request.env(), request.console(),
        request.probe() >= 0 ? request.probe() : null, cancel);
    java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
    watchDisconnect(client, cancel, answered);
    PrintWriter out = new PrintWriter(new OutputStreamWriter(sink.stream(DaemonProtocol.STDOUT), StandardCharsets.UTF_8),
        true);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(sink.stream(DaemonProtocol.STDERR), StandardCharsets.UTF_8),
        true);
    int code;
    try {
      code = runner.run(new WorkingDirectory(workDir), invocation, out, err, request.args().toArray(String[]::new));
      out.flush();
      err.flush();
    } catch (RuntimeException | Error e) {
      if (!sink.sentOutput()) {
        log.println("daemon: command failed before any output (" + oneLine(e) + "); the client runs it itself");
        sink.refuse("internal error");
        return;
      }
      err.println("error: internal error in the tool daemon (" + oneLine(e) + "); run again with --no-daemon");
      err.flush();
      code = 1;
    }
    served.incrementAndGet();
    if (cancel.isCancelled()) {
      log.println("daemon: cancelled: " + cancel.reason());
    }
    answered.set(true); // the connection closes next: not a cancellation
    sink.exit(code);
  }

  /** Runs one command line of the CLI as a JVM started in {@code workDir} with {@code invocation} would. */
  @FunctionalInterface
  interface CommandRunner {
    int run(WorkingDirectory workDir, Invocation invocation, PrintWriter out, PrintWriter err, String... args);
  }

  /** The CLI with a fresh injector of {@link #modules}: no engine state survives a request. */
  static int execute(WorkingDirectory workDir, Invocation invocation, PrintWriter out, PrintWriter err, String... args) {
    Injector injector = Guice.createInjector(com.google.inject.Stage.DEVELOPMENT, modules(workDir, invocation));
    return Main.execute(injector, out, err, args);
  }

  /**
   * The modules of one request: production's, with the request's working directory and
   * invocation, and no stage launcher that computes: should a stage need computing after the
   * probe's plan said none did (the cache changed in between), it fails instead of training here.
   */
  static ImmutableList<Module> modules(WorkingDirectory workDir, Invocation invocation) {
    Module request = new AbstractModule() {
      @Override
      protected void configure() {
        bind(WorkingDirectory.class).toInstance(workDir);
        bind(Invocation.class).toInstance(invocation);
      }

      /** Production's runner, each of whose launchers (still validated by name) refuses to compute. */
      @Provides
      PipelineRunner runner(StageResolver resolver, Map<String, StageLauncher> launchers, Set<RuntimeVersions> versions,
          GpuCount gpuCount, StageGraphs graphs) {
        StageLauncher refuse = (r, events, cancel) -> {
          throw new IllegalStateException("the stage must compute, which the tool daemon never does (the cache"
              + " changed after the plan); run the command again");
        };
        Map<String, StageLauncher> refusing = new java.util.HashMap<>();
        launchers.keySet().forEach(name -> refusing.put(name, refuse));
        return new PipelineRunner(resolver, Map.copyOf(refusing), versions, gpuCount, graphs);
      }
    };
    return ImmutableList.<Module>builder().addAll(Main.modules()).add(request).build();
  }

  /**
   * A thread that cancels the command when the client closes the connection (Ctrl-C) before it
   * was {@code answered}. (Not interrupted when done: interrupting a thread blocked on a channel
   * closes the channel; it ends when the connection closes.)
   */
  private static void watchDisconnect(SocketChannel client, CancelSignal cancel,
      java.util.concurrent.atomic.AtomicBoolean answered) {
    Thread watcher = new Thread(() -> {
      try {
        InputStream in = DaemonProtocol.in(client);
        while (in.read(new byte[256]) >= 0) {
          // a client sends nothing after its request
        }
      } catch (IOException e) {
        // closed: by the client, or by the daemon after the answer
      }
      if (!answered.get()) {
        cancel.cancel("interrupted (the client went away)");
      }
    }, "daemon-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  /** Stops accepting, removes the socket, and ends {@link #awaitClosed()}; the request running finishes first. */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    closeQuietly(server);
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      log.println("daemon: cannot remove " + socket + ": " + e.getMessage());
    }
    worker.shutdown();
    timers.shutdown();
    Thread finisher = new Thread(() -> {
      try {
        worker.awaitTermination(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      closeQuietly(lockChannel);
      closed.countDown();
    }, "daemon-close");
    finisher.setDaemon(true);
    finisher.start();
  }

  /** {@code e} as one line: its class and the first line of its message. */
  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("");
    return e.getClass().getSimpleName() + message;
  }

  private static void closeQuietly(@Nullable AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        // closing after a failure: nothing more to do
      }
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
