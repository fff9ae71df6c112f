"""The PyTorch side of bench/resnet-pass.sh: shared/bench/rocl_step.py's ResNet18 (CIFAR stem),
one training-mode forward and one backward to every weight per step, timed apart, on random
images; the same work as io.robustcl.ml.model.ResNetPassBenchmark does through DJL.
Usage: python3 resnet_pass.py [--batch 32] [--size 32] [--steps 10] [--threads 2]
       [--channels-last] [--profile trace.json]
Prints forward_images_per_s=, backward_images_per_s=, images_per_s= (forward plus backward) and
images_per_cpu_s= (per second of the process's CPU time, less disturbed by a loaded machine).
"""
import argparse, os, sys, time
import torch
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'bench'))
from rocl_step import ResNet18  # noqa: E402

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--batch', type=int, default=32); p.add_argument('--size', type=int, default=32)
    p.add_argument('--width', type=int, default=64); p.add_argument('--steps', type=int, default=10)
    p.add_argument('--warmup', type=int, default=2); p.add_argument('--threads', type=int, default=2)
    p.add_argument('--channels-last', action='store_true'); p.add_argument('--profile', default='')
    a = p.parse_args()
    torch.set_num_threads(a.threads); torch.manual_seed(0)
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    net = ResNet18(a.width).to(memory_format=fmt).train()
    times = [0.0, 0.0]
    def step(acc):
        x = torch.rand(a.batch, 3, a.size, a.size).to(memory_format=fmt)
        t0 = time.perf_counter()
        loss = net(x).mean()
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        for w in net.parameters():
            w.grad.zero_()  # as the optimiser does
        acc[0] += t1 - t0; acc[1] += t2 - t1
    for _ in range(a.warmup):
        step([0.0, 0.0])
    cpu0 = time.process_time()
    if a.profile:
        with torch.autograd.profiler.profile(use_kineto=False) as prof:
            for _ in range(a.steps):
                step(times)
        prof.export_chrome_trace(a.profile)
    else:
        for _ in range(a.steps):
            step(times)
    cpu = time.process_time() - cpu0
    n = a.batch * a.steps
    print(f'torch={torch.__version__} threads={torch.get_num_threads()} interop_threads={torch.get_num_interop_threads()}')
    print(f'forward_images_per_s={n / times[0]:.3f}')
    print(f'backward_images_per_s={n / times[1]:.3f}')
    print(f'images_per_s={n / (times[0] + times[1]):.3f}')
    print(f'images_per_cpu_s={n / cpu:.3f}')  # per second of the process's CPU time

if __name__ == '__main__':
    main()
