#!/usr/bin/env bash
# struct.sh: which kernels.* methods reach C2 only after training started, and GC pauses in epoch 1, per warm-up budget
cd /work/main
A="--data fashion-mnist --model 784-128-10 --activation sigmoid --init xavier --loss ce --lr 0.1 --momentum 0 --batch 64 --epochs 1 --threads 1 --normalize none"
B="--data fashion-mnist --model 784-256-128-10 --activation relu --init he --loss ce --lr 0.05 --momentum 0.9 --batch 128 --epochs 1 --threads 2 --normalize none"
for r in 1 2; do for c in A B; do for ms in ${BUDGETS:-200 1000}; do
  f=/tmp/bm/st-$c-$ms-$r
  NABLA_JAVA_OPTS="-Dnabla.warmup.ms=$ms -Dnabla.warmup=verbose -XX:+PrintCompilation -Xlog:gc" ./nabla train ${!c} --seed 42 --out $f.model > $f.txt 2>&1; rm -rf $f.model
  after=$(sed -n '/^training:/,/^epoch 1/p' $f.txt | grep -E '^ +[0-9]+ +[0-9]+ +[% ]* 4 +kernels\.' | grep -v 'made not' | grep -v ' % ' | awk '{print $NF=="bytes)"?$(NF-2):$NF}' | sed 's/kernels\.//' | tr '\n' ' ')
  gcs=$(sed -n '/^training:/,/^epoch 1/p' $f.txt | grep -c 'Pause')
  echo "$c budget $ms run $r: epoch 1 $(grep -o '^epoch 1/1.*s (' $f.txt | grep -oE '[0-9.]+ s') | GC pauses in epoch 1: $gcs | C2 after training began: ${after:-none} | $(grep -a -o "ran [0-9]* rounds in [0-9]* ms" $f.txt)"
done; done; done
