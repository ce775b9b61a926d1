from django.contrib import admin

from interviews.models import Delivery, Interview, InterviewResult

admin.site.register(Interview)
admin.site.register(InterviewResult)
admin.site.register(Delivery)
