package io.robustcl.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.robustcl.ml.device.DeviceScalars;
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
 * {@link DeviceScalars}). Read from the compiled classes' constant pools, so a call in any form counts.
 */
class JavaNumberOperandsTest {

  private static final List<String> DJL_ARRAY_TYPES =
      List.of("ai/djl/ndarray/NDArray", "ai/djl/ndarray/NDArrays", "ai/djl/ndarray/NDManager",
          "ai/djl/ndarray/internal/NDArrayEx", "ai/djl/pytorch/engine/PtNDArray", "ai/djl/pytorch/engine/PtNDManager");

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
    List<String> out = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      if (tags[i] != 10 && tags[i] != 11) {
        continue;
      }
      String owner = utf8[refs[refs[i][0]][0]];
      int[] nameAndType = refs[refs[i][1]];
      String name = utf8[nameAndType[0]];
      String descriptor = utf8[nameAndType[1]];
      String parameters = descriptor.substring(0, descriptor.indexOf(')'));
      if (DJL_ARRAY_TYPES.contains(owner) && parameters.contains("Ljava/lang/Number;")) {
        out.add(owner + "." + name + descriptor);
      }
    }
    return out;
  }
}
