package io.robustcl.pipeline.exec

import com.google.inject.AbstractModule
import com.google.inject.multibindings.MapBinder
import io.robustcl.pipeline.InputPort
import io.robustcl.pipeline.ParamSpec
import io.robustcl.pipeline.Stage
import io.robustcl.pipeline.StageContext
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.atomic.AtomicInteger
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir

/** A stage whose body is a Kotlin lambda, with declared params and ports. */
class LambdaStage(
    private val ports: List<InputPort> = emptyList(),
    private val declared: List<ParamSpec> = emptyList(),
    private val body: (StageContext) -> Unit,
) : Stage {
    val calls = AtomicInteger()
    override fun run(ctx: StageContext) {
        calls.incrementAndGet()
        body(ctx)
    }
    override fun params() = declared
    override fun inputs() = ports
}

class KotlinPipelineTest {

    @TempDir
    lateinit var tmp: Path

    private val numbers = LambdaStage(declared = listOf(ParamSpec.integer("count", 3L, "how many"))) { ctx ->
        val n = ctx.params().getLong("count")
        Files.writeString(ctx.outputDir().resolve("numbers.txt"), (1..n).joinToString("\n"))
    }

    private val sum = LambdaStage(ports = listOf(InputPort.one("numbers", "numbers to add"))) { ctx ->
        val total = Files.readAllLines(ctx.input("numbers").file("numbers.txt")).sumOf { it.toLong() }
        Files.writeString(ctx.outputDir().resolve("sum.md"), "sum = $total\n")
        ctx.putMetric("sum", total.toDouble())
    }

    private val stages = object : AbstractModule() {
        override fun configure() {
            val map = MapBinder.newMapBinder(binder(), String::class.java, Stage::class.java)
            map.addBinding("numbers").toInstance(numbers)
            map.addBinding("sum").toInstance(sum)
        }
    }

    @Test
    fun `a two-stage pipeline built in Kotlin runs once and is then cached`() {
        val engine = Engine.create(stages)
        val spec = PipelineBuilder()
            .variable("n", 4)
            .stage("numbers", "numbers") { it.param("count", "\${n}") }
            .stage("sum", "sum") { it.input("numbers", "numbers") }
            .target("total", "sum")
            .build(engine.loader(), tmp.resolve("pipeline.yaml"))
        val cache = tmp.resolve("cache")

        val first = engine.run(spec, cache, RunOptions.of("total"))
        assertTrue(first.succeeded(), first.failures().toString())
        assertEquals(10.0, first.manifest("sum")!!.metrics()["sum"])

        val second = engine.run(spec, cache, RunOptions.of("total"))
        assertEquals(2L, second.count(StageStatus.CACHED))
        assertEquals(1, numbers.calls.get())
        assertEquals(1, sum.calls.get())
    }
}
