"""Evaluation: runs models over benchmark sets under a profile (resumably), diagnoses which
conventions reproduce a paper, and reproduces a family's table."""
