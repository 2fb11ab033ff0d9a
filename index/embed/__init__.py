"""Sentence vectors: the embedder protocol, the torch and ONNX encoders, and which one a build uses.

The only package that imports torch, sentence-transformers or onnxruntime, each lazily.
"""
