// Guest boots under TCG share two cores: one at a time keeps their timings meaningful and bounded.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
