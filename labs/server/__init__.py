"""The embedded default: an Ollama-API-compatible server doing real llama.cpp inference.

Built like Ollama itself: a model store (``store``), a scheduler that loads a model on first use
and unloads it after ``keep_alive`` (``scheduler``), llama.cpp runners (``runner``), the native
``/api`` routes (``native``) and the OpenAI-compatible ``/v1`` routes (``openai_routes``).
Lesson 2 (Ollama setup) runs on it when no real Ollama is installed.
"""
