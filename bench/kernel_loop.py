#!/usr/bin/env python3
"""The innermost FMA loop of each C2 (tier 4) compile of a GEMM micro-kernel, from a JVM's
-XX:CompileCommand=print output: its instruction count, FMAs, stack accesses and vector register
moves. A loop with stack accesses or register moves carries accumulators outside their registers
(docs/benchmarks.md, "Two speeds per JVM"). Needs objdump (binutils); hsdis builds that print hex
only (Debian's libhsdis0-fcml) are decoded here.

    bench/kernel_loop.py PRINT_OUTPUT [--listing]
"""
import re
import subprocess
import sys
import tempfile

HEX = re.compile(r'\s*0x([0-9a-f]+): ((?:[0-9a-f]{4}\s*\|?\s*)+)$')
INSN = re.compile(r'\s*([0-9a-f]+):\s+(?:[0-9a-f]{2} )+\s*(.*)$')
BRANCH = re.compile(r'(j[a-z]+)\s+0x([0-9a-f]+)')
REG_MOVE = re.compile(r'vmov(dqu|dqa|aps|ups)\s+%[xyz]mm\d+,%[xyz]mm\d+')


def instructions(lines, start):
    """The method's code after line `start`, disassembled: [(address, text)]."""
    code, base = bytearray(), None
    for line in lines[start + 1:]:
        if line.startswith(('Compiled method', '[Exception Handler]', '[Stub Code]')):
            break
        m = HEX.match(line)
        if m:
            addr = int(m.group(1), 16)
            base = addr if base is None else base
            if addr - base > len(code):
                code.extend(b'\x00' * (addr - base - len(code)))
            del code[addr - base:]
            code.extend(bytes.fromhex(re.sub(r'[\s|]', '', m.group(2))))
    if base is None:
        return []
    with tempfile.NamedTemporaryFile(suffix='.bin') as f:
        f.write(code)
        f.flush()
        text = subprocess.run(['objdump', '-D', '-b', 'binary', '-mi386:x86-64', '--adjust-vma=%d' % base, f.name],
                              capture_output=True, text=True, check=True).stdout
    return [(int(m.group(1), 16), m.group(2).strip()) for m in map(INSN.match, text.split('\n')) if m and m.group(2).strip()]


def innermost_fma_loop(insns):
    """The shortest backward conditional branch's body that holds at least 8 FMAs."""
    best = None
    for addr, text in insns:
        m = BRANCH.match(text)
        if m and m.group(1) != 'jmp' and int(m.group(2), 16) < addr:
            body = [x for x in insns if int(m.group(2), 16) <= x[0] <= addr]
            if sum('vfmadd' in t for _, t in body) >= 8 and (best is None or len(body) < len(best)):
                best = body
    return best


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    lines = open(sys.argv[1], errors='replace').read().split('\n')
    found = False
    for i, line in enumerate(lines):
        if not (line.startswith('Compiled method (c2)') and 'Kernel' in line) or ' % ' in line:
            continue  # OSR compiles (marked %) run only while the first calls are in flight
        loop = innermost_fma_loop(instructions(lines, i))
        if loop is None:
            continue
        found = True
        fmas = sum('vfmadd' in t for _, t in loop)
        stack = sum('rsp' in t for _, t in loop)
        moves = sum(bool(REG_MOVE.match(t)) for _, t in loop)
        print('%s: loop of %d instructions, %d FMAs, %d stack accesses, %d register moves'
              % (line.split()[-3], len(loop), fmas, stack, moves))
        if '--listing' in sys.argv:
            for _, t in loop:
                print('    ' + t)
    if not found:
        sys.exit('no C2-compiled FMA loop of a micro-kernel in %s: hsdis not found (the print shows no hex), '
                 'or a 512-bit tile emulated on a machine without AVX-512' % sys.argv[1])


if __name__ == '__main__':
    main()
