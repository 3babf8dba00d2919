"""A small Locust test of the bundled sample service (see README.md for how it was run).

Five users, each at most 10 tasks per second (a closed model: a user waits for its response, then
paces itself), 80% POST /predict with 5% of them answered 500 by the service, 20% GET /api/light.
"""
from locust import HttpUser, constant_throughput, task


class SampleUser(HttpUser):
    wait_time = constant_throughput(10)

    @task(8)
    def predict(self):
        # The sample service answers this share of /predict with 500: failures Locust counts.
        self.client.post("/predict?error_rate=0.05", json={"x": 1}, name="POST /predict")

    @task(2)
    def light(self):
        self.client.get("/api/light", name="GET /api/light")
