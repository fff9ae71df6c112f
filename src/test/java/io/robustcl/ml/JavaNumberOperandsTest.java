package io.robustcl.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.robustcl.ml.device.DeviceScalars;
import io.robustcl.ml.device.HostTransfer;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps issue 17's fix in place: no class of {@code io.robustcl.ml} calls a DJL array or manager method
 * that takes a {@code java.lang.Number} ({@code x.mul(0.5f)}, {@code x.maximum(1e-12f)},
 * {@code manager.create(Number)}, ...). On the CPU those make the number an array over a Java buffer
 * and close it at once, and a garbage collection before backward then hands autograd freed memory (see
 * {@link DeviceScalars}). Nor does any make an array from Java values with {@code manager.create(float[]
 * / long[] / Buffer / float ...)}, or give one Java values with {@code array.set(float[] / Buffer)}: on
 * the CPU the array then is a view of a Java buffer too, safe only while it stays open (and, after
 * {@code set}, is not set again); such arrays come from {@link HostTransfer#upload} and
 * {@link HostTransfer#write}, which copy into PyTorch's memory.
 * Read from the compiled classes' constant pools, so a call in any form counts.
 */
class JavaNumberOperandsTest {

  private static final List<String> DJL_ARRAY_TYPES =
      List.of("ai/djl/ndarray/NDArray", "ai/djl/ndarray/NDArrays", "ai/djl/ndarray/NDManager",
          "ai/djl/ndarray/internal/NDArrayEx", "ai/djl/pytorch/engine/PtNDArray", "ai/djl/pytorch/engine/PtNDManager");

  private static final List<String> DJL_MANAGER_TYPES =
      List.of("ai/djl/ndarray/NDManager", "ai/djl/ndarray/BaseNDManager", "ai/djl/pytorch/engine/PtNDManager");

  private static final List<String> DJL_ARRAY_CLASSES = List.of("ai/djl/ndarray/NDArray",
      "ai/djl/ndarray/NDArrayAdapter", "ai/djl/pytorch/engine/PtNDArray");

  /** The classes that may call a raw {@code create} or {@code set} over Java memory, each with why. */
  private static final List<String> RAW_CREATE_ALLOWED = List.of(
      // the one upload: a from_blob view in a staging scope, cloned or copied to the device before it closes
      "io/robustcl/ml/device/HostTransfer.class");

  @Test
  void noMlClassPassesAJavaNumberToADjlArrayOperation() throws IOException, URISyntaxException {
    Path root = Path.of(DeviceScalars.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path ml = root.resolve("io/robustcl/ml");
    List<String> found = new ArrayList<>();
    int classes;
    try (Stream<Path> files = Files.walk(ml)) {
      List<Path> all = files.filter(f -> f.toString().endsWith(".class")).toList();
      classes = all.size();
      for (Path f : all) {
        for (String call : numberOperandCalls(Files.readAllBytes(f))) {
          found.add(root.relativize(f) + ": " + call);
        }
      }
    }
    assertTrue(classes > 50, "expected the compiled ml classes under " + ml + ", found " + classes);
    assertEquals(List.of(), found, "pass constants as arrays made by DeviceScalars instead");
  }

  @Test
  void noMlClassMakesOrSetsAnArrayOverJavaMemoryOutsideHostTransfer() throws IOException, URISyntaxException {
    Path root = Path.of(DeviceScalars.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root.resolve("io/robustcl/ml"))) {
      for (Path f : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name = root.relativize(f).toString().replace('\\', '/');
        if (!RAW_CREATE_ALLOWED.contains(name)) {
          for (String call : javaMemoryArrays(Files.readAllBytes(f))) {
            found.add(name + ": " + call);
          }
        }
      }
    }
    assertEquals(List.of(), found,
        "make arrays from Java values with HostTransfer.upload, write them with HostTransfer.write (constants: DeviceScalars)");
  }

  @Test
  void theScanFindsARawUpload() throws IOException, URISyntaxException {
    assertEquals(List.of("ai/djl/ndarray/NDManager.create([FLai/djl/ndarray/types/Shape;)Lai/djl/ndarray/NDArray;",
        "ai/djl/ndarray/NDManager.create(J)Lai/djl/ndarray/NDArray;", "ai/djl/ndarray/NDArray.set([F)V"),
        javaMemoryArrays(classFile(RawUpload.class)));
    assertEquals(List.of(), javaMemoryArrays(classFile(Offender.class)));
  }

  /** What the upload scan must catch. */
  static final class RawUpload {
    static ai.djl.ndarray.NDArray rows(ai.djl.ndarray.NDManager m, float[] v) {
      ai.djl.ndarray.NDArray out = m.create(v, new ai.djl.ndarray.types.Shape(v.length)).add(m.create(1L));
      out.set(v);
      return out;
    }
  }

  private static byte[] classFile(Class<?> c) throws IOException, URISyntaxException {
    return Files.readAllBytes(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI())
        .resolve(c.getName().replace('.', '/') + ".class"));
  }

  @Test
  void theScanFindsSuchACall() throws IOException, URISyntaxException {
    Path self = Path.of(JavaNumberOperandsTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
        .resolve(Offender.class.getName().replace('.', '/') + ".class");
    assertEquals(List.of("ai/djl/ndarray/NDArray.mul(Ljava/lang/Number;)Lai/djl/ndarray/NDArray;"),
        numberOperandCalls(Files.readAllBytes(self)));
  }

  /** What the scan must catch. */
  static final class Offender {
    static ai.djl.ndarray.NDArray half(ai.djl.ndarray.NDArray x) {
      return x.mul(0.5f);
    }
  }

  /**
   * The method references of a class file (JVMS 4.4: Methodref and InterfaceMethodref entries of the
   * constant pool) to one of {@link #DJL_ARRAY_TYPES} with a {@code java.lang.Number} parameter.
   */
  private static List<String> numberOperandCalls(byte[] classFile) throws IOException {
    List<String> out = new ArrayList<>();
    for (String[] ref : methodRefs(classFile)) {
      String parameters = ref[2].substring(0, ref[2].indexOf(')'));
      if (DJL_ARRAY_TYPES.contains(ref[0]) && parameters.contains("Ljava/lang/Number;")) {
        out.add(ref[0] + "." + ref[1] + ref[2]);
      }
    }
    return out;
  }

  /**
   * The references to a DJL manager's {@code create} whose first parameter is Java data: a primitive
   * ({@code create(1L)}), an array ({@code create(float[], Shape)}) or a {@code java.nio} buffer (not
   * {@code create(Shape, ...)}, which allocates in PyTorch); and to an array's {@code set} of a Java
   * array or buffer (not {@code set(NDIndex, ...)}, which copies).
   */
  private static List<String> javaMemoryArrays(byte[] classFile) throws IOException {
    List<String> out = new ArrayList<>();
    for (String[] ref : methodRefs(classFile)) {
      if (DJL_MANAGER_TYPES.contains(ref[0]) && ref[1].equals("create")) {
        char first = ref[2].charAt(1);
        if ("ZBCSIJFD[".indexOf(first) >= 0 || ref[2].startsWith("(Ljava/nio/")) {
          out.add(ref[0] + "." + ref[1] + ref[2]);
        }
      }
      if (DJL_ARRAY_CLASSES.contains(ref[0]) && ref[1].equals("set")
          && (ref[2].startsWith("([") || ref[2].startsWith("(Ljava/nio/"))) {
        out.add(ref[0] + "." + ref[1] + ref[2]);
      }
    }
    return out;
  }

  /** Owner, name and descriptor of every Methodref and InterfaceMethodref entry (JVMS 4.4). */
  private static List<String[]> methodRefs(byte[] classFile) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
    if (in.readInt() != 0xCAFEBABE) {
      throw new IOException("not a class file");
    }
    in.readUnsignedShort();
    in.readUnsignedShort();
    int count = in.readUnsignedShort();
    String[] utf8 = new String[count];
    int[][] refs = new int[count][];
    int[] tags = new int[count];
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      tags[i] = tag;
      switch (tag) {
        case 1 -> utf8[i] = in.readUTF();
        case 3, 4 -> in.readInt();
        case 5, 6 -> {
          in.readLong();
          i++; // 8-byte constants take two entries
        }
        case 7, 8, 16, 19, 20 -> refs[i] = new int[] {in.readUnsignedShort()};
        case 9, 10, 11, 12, 17, 18 -> refs[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
        case 15 -> {
          in.readUnsignedByte();
          in.readUnsignedShort();
        }
        default -> throw new IOException("unknown constant pool tag " + tag);
      }
    }
    List<String[]> out = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      if (tags[i] == 10 || tags[i] == 11) {
        int[] nameAndType = refs[refs[i][1]];
        out.add(new String[] {utf8[refs[refs[i][0]][0]], utf8[nameAndType[0]], utf8[nameAndType[1]]});
      }
    }
    return out;
  }
}
