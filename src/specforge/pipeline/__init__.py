"""The main job (`specforge run`): vendor docs -> sources -> canonical + overlays -> lint -> each
variant's built-in mock -> conformance reports, all in one report folder. It only composes the
other packages' public APIs; it owns no logic of its own beyond ordering and the summary."""

from specforge.pipeline.run import PipelineResult, StageResult, run_pipeline

__all__ = ["PipelineResult", "StageResult", "run_pipeline"]
