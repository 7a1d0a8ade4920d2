"""Run parallel_patterns.helpers.checkpoint_job as a script (tests/test_checkpoint.py starts and kills it)."""

from parallel_patterns.helpers.checkpoint_job import main

if __name__ == "__main__":
    main()
