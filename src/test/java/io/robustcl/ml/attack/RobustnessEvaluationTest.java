package io.robustcl.ml.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.robustcl.ml.device.SeededRandoms;
import io.robustcl.testing.CpuScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class RobustnessEvaluationTest {

    @RegisterExtension final CpuScope cpu = new CpuScope();
    @TempDir Path dir;

    private static RobustnessEvaluation.Images images(LinearModel model) {
        return new RobustnessEvaluation.Images() {
            @Override
            public int size() {
                return model.labels.length;
            }

            @Override
            public NDArray images(NDManager manager, int from, int to) {
                NDArray out = model.images.get(new NDIndex("{}:{}", from, to)).duplicate();
                out.attach(manager);
                return out;
            }

            @Override
            public NDArray labels(NDManager manager, int from, int to) {
                NDArray out = model.labelArray.get(new NDIndex("{}:{}", from, to)).duplicate();
                out.attach(manager);
                return out;
            }
        };
    }

    private static List<RobustnessEvaluation.Run> runs(double eps) {
        return List.of(
                new RobustnessEvaluation.Run("apgd-ce", AttackEnsemble.of("apgd-ce", ApgdAttack.ce(Norm.LINF, eps).withIterations(10))),
                new RobustnessEvaluation.Run("pair", new AttackEnsemble(List.of(
                        new AttackEnsemble.Component("apgd-ce", ApgdAttack.ce(Norm.L2, 4 * eps).withIterations(5)),
                        new AttackEnsemble.Component("apgd-t", ApgdAttack.targeted(Norm.L2, 4 * eps).withIterations(5).withTargets(3))))));
    }

    private RobustnessEvaluation.Result evaluate(LinearModel model, Path state, int chunk, Runnable cancel) {
        SeededRandoms randoms = new SeededRandoms(5);
        RobustnessEvaluation evaluation = new RobustnessEvaluation(runs(0.03), chunk, new EvaluationState(state),
                randoms::child, cancel);
        return evaluation.evaluate(model.classifier(), images(model), cpu.manager(), (run, r, c, n, acc) -> {});
    }

    @Test
    void killedEvaluationResumesToTheSameResult() throws Exception {
        LinearModel model = new LinearModel(cpu.manager(), 60, 6, 11);
        RobustnessEvaluation.Result unbroken = evaluate(model, dir.resolve("a"), 16, () -> {});
        // kill after the fifth attack-on-a-chunk; then resume on the same state
        AtomicInteger calls = new AtomicInteger();
        Path state = dir.resolve("b");
        assertThrows(IllegalStateException.class, () -> evaluate(model, state, 16, () -> {
            if (calls.incrementAndGet() == 9) {
                throw new IllegalStateException("killed");
            }
        }));
        assertTrue(Files.list(state).count() > 0, "state was saved before the kill");
        RobustnessEvaluation.Result resumed = evaluate(model, state, 16, () -> {});
        assertEquals(unbroken.clean(), resumed.clean());
        assertEquals(unbroken.robust(), resumed.robust());
        assertEquals(unbroken.afterEach(), resumed.afterEach());
        for (String run : unbroken.robustFlags().keySet()) {
            assertArrayEquals(unbroken.robustFlags().get(run), resumed.robustFlags().get(run), run);
        }
        // the ensemble's accuracy after each attack never rises, and ends at its robust accuracy
        List<Double> after = unbroken.afterEach().get("pair");
        assertTrue(after.get(1) <= after.get(0));
        assertEquals(unbroken.robust().get("pair"), after.get(1));
        assertTrue(unbroken.robust().get("pair") <= unbroken.clean());
    }
}
