# The solution of the episode's "Scatter one big sample" challenge: count the
# primes of one sample in PARTS jobs that can run in parallel, then gather.
# Run:
#   python -m snakemake --snakefile scatter.smk --cores 2 results/gathered/a.txt

include: "Snakefile"

PARTS = 2


rule part:
    input:
        "results/clean/{sample}.txt",
    output:
        "results/parts/{sample}-{part}.txt",
    shell:
        "python scripts/take_part.py {input} {output} {wildcards.part} "
        + str(PARTS)


rule count_part:
    input:
        "results/parts/{sample}-{part}.txt",
    output:
        "results/part-counts/{sample}-{part}.txt",
    threads: 1
    shell:
        "python scripts/count_primes.py {input} {output} {threads} serial"


rule gathered:
    input:
        expand("results/part-counts/{{sample}}-{part}.txt", part=range(PARTS)),
    output:
        "results/gathered/{sample}.txt",
    shell:
        "python scripts/add_counts.py {output} {input}"
