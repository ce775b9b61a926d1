"""The read-only REST API (placeholder until the API issue lands)."""

from rest_framework.generics import ListAPIView, RetrieveAPIView


class ResultListAPI(ListAPIView):
    pass


class ResultDetailAPI(RetrieveAPIView):
    pass
